package com.alibaba.csp.sentinel.util;

/**
 * Stands in for sentinel-core's TimeUtil (left out of the fat jar by the shade filter): every
 * window, controller and breaker in sentinel-core 1.8.9 and the parameter-flow module reads
 * time only through {@code TimeUtil.currentTimeMillis()}, so pinning it here puts all of Java
 * Sentinel on the scenario's virtual clock. Nothing else of the original class is referenced
 * by those modules.
 */
public final class TimeUtil {
    private static volatile long now;

    private TimeUtil() {
    }

    public static long currentTimeMillis() {
        return now;
    }

    /** Moves the virtual clock (the driver only ever moves it forward). */
    public static void set(long millis) {
        now = millis;
    }
}
