package dev.silk.interop.redisson;

import java.util.concurrent.TimeUnit;
import org.redisson.Redisson;
import org.redisson.api.RAtomicLong;
import org.redisson.api.RList;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/**
 * A Redisson RLock user for the Silk interop test. Modes:
 *
 * <pre>
 *   contend &lt;redis&gt; &lt;lock&gt; &lt;rounds&gt; &lt;holdMs&gt; &lt;prefix&gt;
 *       lock() with the watchdog N rounds; each hold INCRs &lt;prefix&gt;inside (must read 1),
 *       appends "java,&lt;acquiredAt&gt;,&lt;releasedAt&gt;" to &lt;prefix&gt;intervals and DECRs.
 *   hold-and-die &lt;redis&gt; &lt;lock&gt; &lt;leaseMs&gt;
 *       lock(leaseMs), print HELD &lt;client id&gt;:&lt;thread id&gt;, exit without unlocking.
 *   wait &lt;redis&gt; &lt;lock&gt; &lt;waitMs&gt;
 *       print WAITING, tryLock(waitMs, 1 s lease), print ACQUIRED &lt;elapsedMs&gt; or TIMEOUT.
 * </pre>
 *
 * Every line it prints is a protocol line the test parses; errors go to stderr, exit code 1.
 */
public final class LockContender {

  private LockContender() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Config config = new Config();
    config.useSingleServer().setAddress(args[1]);
    RedissonClient redisson = Redisson.create(config);
    int code = 0;
    try {
      RLock lock = redisson.getLock(args[2]);
      switch (mode) {
        case "contend" -> contend(redisson, lock, Integer.parseInt(args[3]), Long.parseLong(args[4]), args[5]);
        case "hold-and-die" -> {
          lock.lock(Long.parseLong(args[3]), TimeUnit.MILLISECONDS);
          System.out.println("HELD " + redisson.getId() + ":" + Thread.currentThread().getId());
          System.out.flush();
          // Halt: no unlock, no shutdown hooks, as a crashed JVM would leave it.
          Runtime.getRuntime().halt(0);
        }
        case "wait" -> {
          System.out.println("WAITING");
          System.out.flush();
          long started = System.currentTimeMillis();
          boolean got = lock.tryLock(Long.parseLong(args[3]), 1_000, TimeUnit.MILLISECONDS);
          long elapsed = System.currentTimeMillis() - started;
          System.out.println(got ? "ACQUIRED " + elapsed : "TIMEOUT " + elapsed);
          if (got) lock.unlock();
        }
        default -> throw new IllegalArgumentException("unknown mode " + mode);
      }
    } catch (Exception e) {
      e.printStackTrace();
      code = 1;
    } finally {
      redisson.shutdown();
    }
    System.out.println("DONE");
    System.exit(code);
  }

  private static void contend(RedissonClient redisson, RLock lock, int rounds, long holdMs, String prefix)
      throws InterruptedException {
    RAtomicLong inside = redisson.getAtomicLong(prefix + "inside");
    RList<String> intervals = redisson.getList(prefix + "intervals", StringCodec.INSTANCE);
    System.out.println("READY");
    System.out.flush();
    for (int i = 0; i < rounds; i++) {
      lock.lock();
      try {
        long acquiredAt = System.currentTimeMillis();
        long now = inside.incrementAndGet();
        if (now != 1) {
          intervals.add("violation,java," + now);
        }
        Thread.sleep(holdMs);
        inside.decrementAndGet();
        intervals.add("java," + acquiredAt + "," + System.currentTimeMillis());
      } finally {
        lock.unlock();
      }
    }
  }
}
