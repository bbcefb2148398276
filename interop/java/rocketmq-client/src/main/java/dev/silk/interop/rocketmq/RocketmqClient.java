package dev.silk.interop.rocketmq;

import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.consumer.ConsumeResult;
import org.apache.rocketmq.client.apis.consumer.FilterExpression;
import org.apache.rocketmq.client.apis.consumer.FilterExpressionType;
import org.apache.rocketmq.client.apis.consumer.PushConsumer;
import org.apache.rocketmq.client.apis.message.Message;
import org.apache.rocketmq.client.apis.message.MessageBuilder;
import org.apache.rocketmq.client.apis.message.MessageView;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.apache.rocketmq.client.apis.producer.SendReceipt;

/**
 * The official RocketMQ 5 Java client, driven by Silk's interop test and benchmark.
 *
 * <pre>
 * consume   endpoints topic group tagExpression count
 *     prints READY, then one MSG line per message:
 *     MSG \t id \t tag \t keys(,) \t group \t attempt \t props(k=v&amp;..., URL-encoded) \t body(URL-encoded)
 *     and DONE after count messages (then exits)
 * produce   endpoints topic count tag keyPrefix [messageGroup]
 *     sends count messages with tag, keys [keyPrefix-i, java], properties TX_XID, traceparent and
 *     java-seq=i, prints SENT \t id \t key per message, then DONE
 * bench-produce endpoints topic count inflight bodyBytes
 *     async sends with at most inflight outstanding; prints RATE produce count ms
 * bench-consume endpoints topic group count
 *     push consumer; prints READY, then RATE consume count ms (first to last message)
 * </pre>
 */
public final class RocketmqClient {
  private static final ClientServiceProvider PROVIDER = ClientServiceProvider.loadService();

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    ClientConfiguration config =
        ClientConfiguration.newBuilder().setEndpoints(args[1]).enableSsl(false).setRequestTimeout(Duration.ofSeconds(5)).build();
    switch (mode) {
      case "consume" -> consume(config, args[2], args[3], args[4], Integer.parseInt(args[5]));
      case "produce" -> produce(config, args[2], Integer.parseInt(args[3]), args[4], args[5], args.length > 6 ? args[6] : null);
      case "bench-produce" ->
          benchProduce(config, args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]));
      case "bench-consume" -> benchConsume(config, args[2], args[3], Integer.parseInt(args[4]));
      default -> throw new IllegalArgumentException("unknown mode " + mode);
    }
    System.exit(0);
  }

  private static void consume(ClientConfiguration config, String topic, String group, String tags, int count)
      throws Exception {
    CountDownLatch done = new CountDownLatch(count);
    PushConsumer consumer = PROVIDER.newPushConsumerBuilder()
        .setClientConfiguration(config)
        .setConsumerGroup(group)
        .setSubscriptionExpressions(Collections.singletonMap(topic, new FilterExpression(tags, FilterExpressionType.TAG)))
        .setMessageListener(view -> {
          synchronized (System.out) {
            System.out.println(line(view));
            System.out.flush();
          }
          done.countDown();
          return ConsumeResult.SUCCESS;
        })
        .build();
    System.out.println("READY");
    System.out.flush();
    done.await();
    System.out.println("DONE");
    System.out.flush();
    consumer.close();
  }

  private static String line(MessageView view) {
    Map<String, String> props = new TreeMap<>(view.getProperties());
    List<String> pairs = new ArrayList<>();
    props.forEach((k, v) -> pairs.add(enc(k) + "=" + enc(v)));
    ByteBuffer body = view.getBody();
    byte[] bytes = new byte[body.remaining()];
    body.get(bytes);
    return String.join("\t", "MSG", view.getMessageId().toString(), view.getTag().orElse(""),
        String.join(",", view.getKeys()), view.getMessageGroup().orElse(""), String.valueOf(view.getDeliveryAttempt()),
        String.join("&", pairs), enc(new String(bytes, StandardCharsets.UTF_8)));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static void produce(ClientConfiguration config, String topic, int count, String tag, String keyPrefix,
      String messageGroup) throws Exception {
    try (Producer producer = PROVIDER.newProducerBuilder().setClientConfiguration(config).setTopics(topic).build()) {
      for (int i = 0; i < count; i++) {
        String key = keyPrefix + "-" + i;
        MessageBuilder builder = PROVIDER.newMessageBuilder()
            .setTopic(topic)
            .setTag(tag)
            .setKeys(key, "java")
            .addProperty("TX_XID", "10.0.0.9:8091:" + keyPrefix)
            .addProperty("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
            .addProperty("java-seq", String.valueOf(i))
            .setBody(("java " + i).getBytes(StandardCharsets.UTF_8));
        if (messageGroup != null) builder.setMessageGroup(messageGroup);
        SendReceipt receipt = producer.send(builder.build());
        System.out.println("SENT\t" + receipt.getMessageId() + "\t" + key);
      }
    }
    System.out.println("DONE");
    System.out.flush();
  }

  private static void benchProduce(ClientConfiguration config, String topic, int count, int inflight, int bodyBytes)
      throws Exception {
    byte[] body = new byte[bodyBytes];
    try (Producer producer = PROVIDER.newProducerBuilder().setClientConfiguration(config).setTopics(topic).build()) {
      // Warm-up: routes, channels, JIT.
      for (int i = 0; i < 200; i++) producer.send(message(topic, body, i));
      Semaphore slots = new Semaphore(inflight);
      AtomicInteger failed = new AtomicInteger();
      long start = System.nanoTime();
      List<CompletableFuture<SendReceipt>> all = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        slots.acquire();
        CompletableFuture<SendReceipt> f = producer.sendAsync(message(topic, body, i));
        f.whenComplete((r, e) -> {
          if (e != null) failed.incrementAndGet();
          slots.release();
        });
        all.add(f);
      }
      CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).exceptionally(e -> null).join();
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      System.out.println("RATE\tproduce\t" + (count - failed.get()) + "\t" + ms);
      System.out.flush();
    }
  }

  private static Message message(String topic, byte[] body, int i) {
    return PROVIDER.newMessageBuilder().setTopic(topic).setTag("bench").setKeys("b-" + i).setBody(body).build();
  }

  private static void benchConsume(ClientConfiguration config, String topic, String group, int count) throws Exception {
    CountDownLatch done = new CountDownLatch(count);
    AtomicLong first = new AtomicLong();
    AtomicLong last = new AtomicLong();
    PushConsumer consumer = PROVIDER.newPushConsumerBuilder()
        .setClientConfiguration(config)
        .setConsumerGroup(group)
        .setSubscriptionExpressions(Collections.singletonMap(topic, FilterExpression.SUB_ALL))
        .setMessageListener(view -> {
          long now = System.nanoTime();
          first.compareAndSet(0, now);
          last.set(now);
          done.countDown();
          return ConsumeResult.SUCCESS;
        })
        .build();
    System.out.println("READY");
    System.out.flush();
    done.await();
    long ms = TimeUnit.NANOSECONDS.toMillis(last.get() - first.get());
    System.out.println("RATE\tconsume\t" + count + "\t" + ms);
    System.out.flush();
    consumer.close();
  }
}
