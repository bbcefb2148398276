package dev.silk.interop.tracing;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * GET /hop            what this request's span is, and the trace headers it arrived with
 * GET /hop?next=URL   the same, after calling URL with Boot's observed RestClient (so the call
 *                     is a client span whose context goes out in the configured format), with
 *                     the next hop's answer under "next" (URL taken as sent, not as a
 *                     template, so an encoded query survives)
 */
@SpringBootApplication
@RestController
public class TracingApp {
  private final Tracer tracer;
  private final RestClient http;

  public TracingApp(Tracer tracer, RestClient.Builder builder) {
    this.tracer = tracer;
    this.http = builder.build();
  }

  public static void main(String[] args) {
    SpringApplication.run(TracingApp.class, args);
  }

  @EventListener(ApplicationReadyEvent.class)
  public void ready() {
    System.out.println("TRACING-APP READY");
  }

  @GetMapping("/hop")
  public Map<String, Object> hop(
      @RequestParam(name = "next", required = false) String next,
      @RequestHeader(name = "traceparent", required = false) String traceparent,
      @RequestHeader(name = "b3", required = false) String b3,
      @RequestHeader(name = "X-B3-TraceId", required = false) String b3TraceId) {
    Span span = tracer.currentSpan();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("traceId", span == null ? null : span.context().traceId());
    out.put("spanId", span == null ? null : span.context().spanId());
    out.put("parentId", span == null ? null : span.context().parentId());
    out.put("inTraceparent", traceparent);
    out.put("inB3", b3);
    out.put("inB3TraceId", b3TraceId);
    if (next != null) out.put("next", http.get().uri(URI.create(next)).retrieve().body(Map.class));
    return out;
  }
}
