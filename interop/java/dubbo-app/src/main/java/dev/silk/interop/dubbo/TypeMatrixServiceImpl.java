package dev.silk.interop.dubbo;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.dubbo.rpc.RpcContext;

public class TypeMatrixServiceImpl implements TypeMatrixService {
    public String echo(String s) { return s; }

    public int addInt(int a, int b) { return a + b; }

    public long addLong(long a, long b) { return a + b; }

    public double half(double d) { return d / 2; }

    public boolean not(boolean b) { return !b; }

    public BigDecimal scale(BigDecimal a, int factor) { return a.multiply(BigDecimal.valueOf(factor)); }

    public Date nextDay(Date d) { return new Date(d.getTime() + 86_400_000L); }

    public LocalDateTime plusHours(LocalDateTime t, int hours) { return t.plusHours(hours); }

    public Color next(Color c) { return Color.values()[(c.ordinal() + 1) % Color.values().length]; }

    public List<String> reverse(List<String> xs) {
        List<String> out = new ArrayList<>(xs);
        Collections.reverse(out);
        return out;
    }

    public Set<Integer> evens(Set<Integer> xs) {
        Set<Integer> out = new HashSet<>();
        for (Integer x : xs) if (x % 2 == 0) out.add(x);
        return out;
    }

    public Map<String, Long> doubled(Map<String, Long> m) {
        Map<String, Long> out = new HashMap<>();
        m.forEach((k, v) -> out.put(k, v * 2));
        return out;
    }

    public int[] squares(int[] xs) {
        int[] out = new int[xs.length];
        for (int i = 0; i < xs.length; i++) out[i] = xs[i] * xs[i];
        return out;
    }

    public String[] upper(String[] xs) {
        String[] out = new String[xs.length];
        for (int i = 0; i < xs.length; i++) out[i] = xs[i].toUpperCase();
        return out;
    }

    public byte[] reverseBytes(byte[] b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) out[i] = b[b.length - 1 - i];
        return out;
    }

    public String maybeNull(boolean giveNull) { return giveNull ? null : "not null"; }

    public User greet(User u) {
        List<Address> addresses = new ArrayList<>(u.getAddresses());
        addresses.add(new Address("Hangzhou", "310000"));
        return new User(u.getId() + 1, "Hello " + u.getName(), u.getAge() + 1, u.getFavourite(), addresses, u.getScores());
    }

    public String fail(String message) { throw new IllegalArgumentException(message); }

    public String slow(int ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "slept " + ms;
    }

    public String attachment(String key) {
        Object v = RpcContext.getServerAttachment().getObjectAttachment(key);
        RpcContext.getServerResponseContext().setAttachment("echo-" + key, String.valueOf(v));
        return v == null ? null : String.valueOf(v);
    }
}
