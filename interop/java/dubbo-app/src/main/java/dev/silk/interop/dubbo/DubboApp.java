package dev.silk.interop.dubbo;

import com.alibaba.com.caucho.hessian.io.Hessian2Output;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.dubbo.config.ApplicationConfig;
import org.apache.dubbo.config.ProtocolConfig;
import org.apache.dubbo.config.ReferenceConfig;
import org.apache.dubbo.config.RegistryConfig;
import org.apache.dubbo.config.ServiceConfig;
import org.apache.dubbo.config.bootstrap.DubboBootstrap;
import org.apache.dubbo.rpc.RpcContext;
import org.apache.dubbo.rpc.RpcException;

/**
 * Modes (first argument):
 *   provider <nacos host:port> <app> <port> <version> [group]     export TypeMatrixService, print READY
 *   consumer <nacos host:port> <app> <version> [group]            call every method, print CHECK lines
 *   golden <file>                                                  write Hessian 2 bytes of the type matrix
 *   bench-provider <port>                                          export without a registry
 *   bench-consumer <port> <seconds> <inflight>                     greet() in a loop, print BENCH
 */
public final class DubboApp {
    private DubboApp() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "provider" -> provider(args[1], args[2], Integer.parseInt(args[3]), args[4], args.length > 5 ? args[5] : "");
            case "consumer" -> System.exit(consumer(args[1], args[2], args[3], args.length > 4 ? args[4] : "") ? 0 : 1);
            case "golden" -> golden(Path.of(args[1]));
            case "bench-provider" -> benchProvider(Integer.parseInt(args[1]));
            case "bench-consumer" -> benchConsumer(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static ApplicationConfig app(String name) {
        ApplicationConfig app = new ApplicationConfig(name);
        app.setQosEnable(false);
        return app;
    }

    private static RegistryConfig registry(String nacos) {
        return new RegistryConfig("nacos://" + nacos + "?username=nacos&password=nacos");
    }

    private static void provider(String nacos, String appName, int port, String version, String group) throws Exception {
        ServiceConfig<TypeMatrixService> service = new ServiceConfig<>();
        service.setInterface(TypeMatrixService.class);
        service.setRef(new TypeMatrixServiceImpl());
        service.setVersion(version);
        if (!group.isEmpty()) service.setGroup(group);
        DubboBootstrap.getInstance()
                .application(app(appName))
                .registry(registry(nacos))
                .protocol(new ProtocolConfig("dubbo", port))
                .service(service)
                .start();
        System.out.println("READY " + port);
        new CountDownLatch(1).await();
    }

    private static final List<String> failures = new ArrayList<>();
    private static int passed = 0;

    private static void check(String name, Object expected, Object actual) {
        boolean ok = expected instanceof Object[] e && actual instanceof Object[] a ? Arrays.equals(e, a) : java.util.Objects.equals(expected, actual);
        if (ok) passed++;
        else failures.add(name);
        System.out.println("CHECK " + name + (ok ? " OK" : " FAIL expected=" + expected + " actual=" + actual));
    }

    private interface Call {
        void run() throws Exception;
    }

    private static void guarded(String name, Call c) {
        try {
            c.run();
        } catch (Throwable t) {
            failures.add(name);
            System.out.println("CHECK " + name + " FAIL threw " + t);
        }
    }

    static User sampleUser() {
        Map<String, List<Long>> scores = new LinkedHashMap<>();
        scores.put("math", List.of(90L, 9_007_199_254_740_993L));
        return new User(9_007_199_254_740_993L, "Ada", 36, Color.GREEN, new ArrayList<>(List.of(new Address("Beijing", "100000"))), scores);
    }

    private static boolean consumer(String nacos, String appName, String version, String group) throws Exception {
        ReferenceConfig<TypeMatrixService> ref = new ReferenceConfig<>();
        ref.setInterface(TypeMatrixService.class);
        ref.setVersion(version);
        if (!group.isEmpty()) ref.setGroup(group);
        ref.setTimeout(3000);
        ref.setRetries(0);
        ref.setCheck(false);
        DubboBootstrap.getInstance().application(app(appName)).registry(registry(nacos)).reference(ref).start();
        TypeMatrixService s = ref.get();
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            try {
                s.echo("warm-up");
                break;
            } catch (RpcException e) {
                if (System.currentTimeMillis() > deadline) throw e;
                Thread.sleep(500);
            }
        }
        guarded("echo", () -> check("echo", "héllo 世界", s.echo("héllo 世界")));
        guarded("addInt", () -> check("addInt", -5, s.addInt(-7, 2)));
        guarded("addLong", () -> check("addLong", 9_007_199_254_740_993L, s.addLong(9_007_199_254_740_992L, 1L)));
        guarded("half", () -> check("half", 1.25, s.half(2.5)));
        guarded("not", () -> check("not", false, s.not(true)));
        guarded("scale", () -> check("scale", new BigDecimal("3.69"), s.scale(new BigDecimal("1.23"), 3)));
        guarded("nextDay", () -> check("nextDay", new Date(1_700_086_400_000L), s.nextDay(new Date(1_700_000_000_000L))));
        guarded("plusHours", () -> check("plusHours", LocalDateTime.of(2024, 3, 1, 1, 30, 15), s.plusHours(LocalDateTime.of(2024, 2, 29, 23, 30, 15), 2)));
        guarded("next", () -> check("next", Color.RED, s.next(Color.BLUE)));
        guarded("reverse", () -> check("reverse", List.of("c", "b", "a"), s.reverse(List.of("a", "b", "c"))));
        guarded("evens", () -> check("evens", Set.of(2, 4), new HashSet<>(s.evens(new HashSet<>(Set.of(1, 2, 3, 4))))));
        guarded("doubled", () -> {
            Map<String, Long> m = new HashMap<>();
            m.put("a", 1L);
            m.put("big", 4_611_686_018_427_387_904L);
            check("doubled", Map.of("a", 2L, "big", -9_223_372_036_854_775_808L), s.doubled(m));
        });
        guarded("squares", () -> check("squares", "[1, 4, 9]", Arrays.toString(s.squares(new int[] {1, 2, 3}))));
        guarded("upper", () -> check("upper", "[A, B]", Arrays.toString(s.upper(new String[] {"a", "b"}))));
        guarded("reverseBytes", () -> check("reverseBytes", "[3, 2, 1, 0, -1]", Arrays.toString(s.reverseBytes(new byte[] {-1, 0, 1, 2, 3}))));
        guarded("maybeNull", () -> check("maybeNull", null, s.maybeNull(true)));
        guarded("greet", () -> {
            User u = sampleUser();
            List<Address> addrs = new ArrayList<>(u.getAddresses());
            addrs.add(new Address("Hangzhou", "310000"));
            check("greet", new User(u.getId() + 1, "Hello Ada", 37, Color.GREEN, addrs, u.getScores()), s.greet(u));
        });
        guarded("fail", () -> {
            try {
                s.fail("boom from java");
                check("fail", "IllegalArgumentException", "no exception");
            } catch (IllegalArgumentException e) {
                check("fail", "boom from java", e.getMessage());
            }
        });
        guarded("timeout", () -> {
            try {
                s.slow(5000); // the reference's timeout is 3000 ms
                check("timeout", "timeout", "answered");
            } catch (RpcException e) {
                check("timeout", true, e.isTimeout());
            }
        });
        guarded("attachment", () -> {
            RpcContext.getClientAttachment().setAttachment("silk-key", "from-java");
            String got = s.attachment("silk-key");
            Object back = RpcContext.getServerContext().getObjectAttachment("echo-silk-key");
            check("attachment", "from-java/from-java", got + "/" + back);
        });
        System.out.println("CONSUMER DONE passed=" + passed + " failed=" + failures.size() + " " + failures);
        return failures.isEmpty();
    }

    private static void golden(Path file) throws Exception {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("string", "héllo 世界");
        values.put("int", -7);
        values.put("long_big", 9_007_199_254_740_993L);
        values.put("long_small", 42L);
        values.put("double", 2.5);
        values.put("true", true);
        values.put("null", null);
        values.put("bigdecimal", new BigDecimal("1.23"));
        values.put("date", new Date(1_700_000_000_000L));
        values.put("localdatetime", LocalDateTime.of(2024, 2, 29, 23, 30, 15));
        values.put("enum", Color.BLUE);
        values.put("list", new ArrayList<>(List.of("a", "b", "c")));
        values.put("set", new HashSet<>(Set.of(2)));
        Map<String, Long> map = new HashMap<>();
        map.put("a", 1L);
        values.put("map", map);
        values.put("int_array", new int[] {1, 2, 3});
        values.put("string_array", new String[] {"a", "b"});
        values.put("bytes", new byte[] {-1, 0, 1, 2, 3});
        values.put("pojo", sampleUser());
        values.put("exception", new IllegalArgumentException("boom from java"));
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file))) {
            for (Map.Entry<String, Object> e : values.entrySet()) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                Hessian2Output h = new Hessian2Output(bytes);
                h.writeObject(e.getValue());
                h.flush();
                out.println(e.getKey() + " " + java.util.HexFormat.of().formatHex(bytes.toByteArray()));
            }
        }
        System.out.println("GOLDEN " + values.size());
    }

    private static void benchProvider(int port) throws Exception {
        ServiceConfig<TypeMatrixService> service = new ServiceConfig<>();
        service.setInterface(TypeMatrixService.class);
        service.setRef(new TypeMatrixServiceImpl());
        service.setVersion("1.0.0");
        service.setRegister(false);
        DubboBootstrap.getInstance()
                .application(app("silk-bench-java-provider"))
                .registry(new RegistryConfig("N/A"))
                .protocol(new ProtocolConfig("dubbo", port))
                .service(service)
                .start();
        System.out.println("READY " + port);
        new CountDownLatch(1).await();
    }

    private static void benchConsumer(int port, int seconds, int inflight) throws Exception {
        ReferenceConfig<TypeMatrixService> ref = new ReferenceConfig<>();
        ref.setInterface(TypeMatrixService.class);
        ref.setVersion("1.0.0");
        ref.setUrl("dubbo://127.0.0.1:" + port);
        ref.setTimeout(5000);
        DubboBootstrap.getInstance().application(app("silk-bench-java-consumer")).reference(ref).start();
        TypeMatrixService s = ref.get();
        User u = sampleUser();
        long warmEnd = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < warmEnd) s.greet(u);
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        AtomicLong calls = new AtomicLong();
        List<long[]> perThread = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < inflight; t++) {
            long[] lat = new long[300_000];
            perThread.add(lat);
            final int idx = t;
            Thread th = new Thread(() -> {
                int n = 0;
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    s.greet(u);
                    if (n < lat.length) lat[n++] = System.nanoTime() - t0;
                }
                lat[lat.length - 1] = n;
                calls.addAndGet(n);
            }, "bench-" + idx);
            threads.add(th);
        }
        long start = System.nanoTime();
        for (Thread th : threads) th.start();
        for (Thread th : threads) th.join();
        double secs = (System.nanoTime() - start) / 1e9;
        long total = calls.get();
        long[] all = new long[(int) total];
        int k = 0;
        for (long[] lat : perThread) {
            int n = (int) lat[lat.length - 1];
            System.arraycopy(lat, 0, all, k, n);
            k += n;
        }
        Arrays.sort(all);
        double p50 = all[(int) (all.length * 0.5)] / 1e6;
        double p99 = all[(int) (all.length * 0.99)] / 1e6;
        System.out.printf("BENCH calls=%d seconds=%.3f rate=%.1f p50=%.3f p99=%.3f%n", total, secs, total / secs, p50, p99);
        System.exit(0);
    }
}
