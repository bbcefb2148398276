package dev.silk.interop.sca;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.context.annotation.Bean;
import org.springframework.web.client.RestClient;

/** Entry point: a stock Spring Cloud Alibaba service (Nacos discovery + config, LoadBalancer). */
@SpringBootApplication
public class ScaInteropApp {

  /** Resolves `http://<service-name>/...` through Nacos discovery, as any SCA caller does. */
  @Bean
  @LoadBalanced
  RestClient.Builder loadBalancedRestClientBuilder() {
    return RestClient.builder();
  }

  public static void main(String[] args) {
    SpringApplication.run(ScaInteropApp.class, args);
  }
}
