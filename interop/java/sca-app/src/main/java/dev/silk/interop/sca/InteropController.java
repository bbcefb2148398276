package dev.silk.interop.sca;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.cloud.context.config.annotation.RefreshScope;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * GET /hello shows this app's name and the shared dataId's silk.interop.message (refreshed when the
 * dataId changes in Nacos); GET /call?service=&path= calls another service by its Nacos name.
 */
@RestController
@RefreshScope
public class InteropController {

  private final RestClient client;
  private final String app;
  private final String shared;

  InteropController(
      RestClient.Builder loadBalanced,
      @Value("${spring.application.name}") String app,
      @Value("${silk.interop.message:#{null}}") String shared) {
    this.client = loadBalanced.build();
    this.app = app;
    this.shared = shared;
  }

  @GetMapping("/hello")
  Map<String, Object> hello() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("app", app);
    body.put("shared", shared);
    return body;
  }

  @GetMapping("/call")
  ResponseEntity<String> call(@RequestParam String service, @RequestParam String path) {
    String body = client.get().uri("http://" + service + path).retrieve().body(String.class);
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(body);
  }
}
