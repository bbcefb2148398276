package dev.silk.interop.scg;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cloud.gateway.filter.ratelimit.KeyResolver;
import org.springframework.context.annotation.Bean;
import reactor.core.publisher.Mono;

/**
 * Spring Cloud Gateway with one route from application.yaml (overridden on the command line):
 * RequestRateLimiter on the Redis rate limiter, keyed by the caller's IP as the Silk gateway's
 * ipKeyResolver keys it.
 */
@SpringBootApplication
public class ScgInteropApp {

  @Bean
  KeyResolver ipKeyResolver() {
    return exchange -> Mono.just(exchange.getRequest().getRemoteAddress().getAddress().getHostAddress());
  }

  public static void main(String[] args) {
    SpringApplication.run(ScgInteropApp.class, args);
  }
}
