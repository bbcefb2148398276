package dev.silk.interop.nacos;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.PropertyKeyConst;
import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.config.listener.AbstractListener;

import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * Listens to one Nacos dataId with the official Java client and prints, per change,
 * {@code CHANGE <content on one line> <System.currentTimeMillis()>} to stdout, and
 * {@code READY} once the listener is registered. Everything else the client says goes to its
 * own log files, so stdout carries only these lines.
 *
 * <p>Usage: {@code java -jar nacos-listener.jar <dataId> [group]}; the server, user and
 * password come from NACOS_ADDR (127.0.0.1:8848), NACOS_USERNAME and NACOS_PASSWORD (nacos).
 * Exits when stdin closes, so it dies with the process that started it.
 */
public final class ConfigListener {
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: nacos-listener <dataId> [group]");
            System.exit(2);
        }
        String dataId = args[0];
        String group = args.length > 1 ? args[1] : "DEFAULT_GROUP";

        Properties props = new Properties();
        props.setProperty(PropertyKeyConst.SERVER_ADDR, env("NACOS_ADDR", "127.0.0.1:8848"));
        props.setProperty(PropertyKeyConst.USERNAME, env("NACOS_USERNAME", "nacos"));
        props.setProperty(PropertyKeyConst.PASSWORD, env("NACOS_PASSWORD", "nacos"));
        String namespace = System.getenv("NACOS_NAMESPACE");
        if (namespace != null && !namespace.isEmpty()) props.setProperty(PropertyKeyConst.NAMESPACE, namespace);

        ConfigService config = NacosFactory.createConfigService(props);
        config.addListener(dataId, group, new AbstractListener() {
            @Override
            public void receiveConfigInfo(String content) {
                long now = System.currentTimeMillis();
                String oneLine = content == null ? "" : content.replace('\n', ' ').replace('\r', ' ');
                synchronized (System.out) {
                    System.out.println("CHANGE " + oneLine + " " + now);
                    System.out.flush();
                }
            }
        });
        synchronized (System.out) {
            System.out.println("READY");
            System.out.flush();
        }

        // Stay up until the parent closes our stdin (or kills us).
        CountDownLatch done = new CountDownLatch(1);
        Thread stdin = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // discard
                }
            } catch (Exception ignored) {
                // parent went away
            }
            done.countDown();
        }, "stdin-watch");
        stdin.setDaemon(true);
        stdin.start();
        done.await();
        config.shutDown();
        System.exit(0);
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? fallback : v;
    }
}
