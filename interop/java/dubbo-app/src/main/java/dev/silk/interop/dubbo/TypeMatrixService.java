package dev.silk.interop.dubbo;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The interface both sides export and call: one method per Java type Silk must map. */
public interface TypeMatrixService {
    String echo(String s);

    int addInt(int a, int b);

    long addLong(long a, long b);

    double half(double d);

    boolean not(boolean b);

    BigDecimal scale(BigDecimal a, int factor);

    Date nextDay(Date d);

    LocalDateTime plusHours(LocalDateTime t, int hours);

    Color next(Color c);

    List<String> reverse(List<String> xs);

    Set<Integer> evens(Set<Integer> xs);

    Map<String, Long> doubled(Map<String, Long> m);

    int[] squares(int[] xs);

    String[] upper(String[] xs);

    byte[] reverseBytes(byte[] b);

    String maybeNull(boolean giveNull);

    User greet(User u);

    /** Throws IllegalArgumentException(message). */
    String fail(String message);

    /** Answers after `ms` milliseconds. */
    String slow(int ms);

    /** The value of the request attachment `key`; also sets the response attachment `echo-<key>`. */
    String attachment(String key);
}
