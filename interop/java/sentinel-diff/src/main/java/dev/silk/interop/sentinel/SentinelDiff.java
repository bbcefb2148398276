package dev.silk.interop.sentinel;

import java.io.BufferedWriter;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import com.alibaba.csp.sentinel.AsyncEntry;
import com.alibaba.csp.sentinel.EntryType;
import com.alibaba.csp.sentinel.SphU;
import com.alibaba.csp.sentinel.Tracer;
import com.alibaba.csp.sentinel.context.ContextUtil;
import com.alibaba.csp.sentinel.node.ClusterNode;
import com.alibaba.csp.sentinel.node.metric.MetricNode;
import com.alibaba.csp.sentinel.slots.clusterbuilder.ClusterBuilderSlot;
import com.alibaba.csp.sentinel.slotchain.StringResourceWrapper;
import com.alibaba.csp.sentinel.slots.block.BlockException;
import com.alibaba.csp.sentinel.slots.block.RuleConstant;
import com.alibaba.csp.sentinel.slots.block.authority.AuthorityException;
import com.alibaba.csp.sentinel.slots.block.authority.AuthorityRule;
import com.alibaba.csp.sentinel.slots.block.authority.AuthorityRuleManager;
import com.alibaba.csp.sentinel.slots.block.degrade.DegradeException;
import com.alibaba.csp.sentinel.slots.block.degrade.DegradeRule;
import com.alibaba.csp.sentinel.slots.block.degrade.DegradeRuleManager;
import com.alibaba.csp.sentinel.slots.block.degrade.circuitbreaker.EventObserverRegistry;
import com.alibaba.csp.sentinel.slots.block.flow.FlowException;
import com.alibaba.csp.sentinel.slots.block.flow.FlowRule;
import com.alibaba.csp.sentinel.slots.block.flow.FlowRuleManager;
import com.alibaba.csp.sentinel.slots.block.flow.controller.ThrottlingController;
import com.alibaba.csp.sentinel.slots.block.flow.controller.WarmUpRateLimiterController;
import com.alibaba.csp.sentinel.slots.block.flow.param.ParamFlowException;
import com.alibaba.csp.sentinel.slots.block.flow.param.ParamFlowRule;
import com.alibaba.csp.sentinel.slots.block.flow.param.ParamFlowRuleManager;
import com.alibaba.csp.sentinel.slots.block.flow.param.ParameterMetric;
import com.alibaba.csp.sentinel.slots.block.flow.param.ParameterMetricStorage;
import com.alibaba.csp.sentinel.slots.system.SystemBlockException;
import com.alibaba.csp.sentinel.slots.system.SystemRule;
import com.alibaba.csp.sentinel.slots.system.SystemRuleManager;
import com.alibaba.csp.sentinel.util.TimeUtil;
import com.alibaba.fastjson.JSON;
import com.alibaba.fastjson.JSONArray;
import com.alibaba.fastjson.JSONObject;

/**
 * Replays a scenario through Java Sentinel on a virtual clock.
 *
 * <p>Usage: {@code java -jar sentinel-diff.jar <scenario.json> <result.txt>}. The scenario is
 * {@code {startMs, coldFactor?, rules: {flow, degrade, paramFlow, authority, system}, events: [...]}} where each
 * event is {@code {t, op: "entry", id, resource, context?, origin?, args?, count?, type?}} or
 * {@code {t, op: "exit", id, error?}}, {@code {t, op: "load", rules}} (a rule push: {@code <i> L}) or
 * {@code {t, op: "metrics", resource}} (the last minute's seconds: {@code <i> M ...});
 * rules are Sentinel's own JSON, parsed with fastjson as
 * Sentinel's data sources parse them. The result has one line per event, in order —
 * {@code <i> P <waitMs>}, {@code <i> B <kind> <limitApp | hot value | system limit type>}, {@code <i> X} (exited) or
 * {@code <i> -} (exit of a blocked entry) — preceded by {@code R <kind> <loaded>} per rule kind
 * and interleaved with {@code <i> S <resource>/<grade> <from> <to>} for breaker transitions
 * caused by event i. The last line is {@code END <events>}.
 *
 * <p>Entries are async entries so that many can be open at once on one thread and exit in any
 * order, as concurrent requests do; each entry leaves the thread's context again at once.
 */
public final class SentinelDiff {
    private final List<String> out = new ArrayList<>();
    private final Map<Integer, Open> open = new HashMap<>();
    private final Method getFlowRules;
    private final Method getRater;
    private int current = -1;

    private record Open(AsyncEntry entry, int count, Object[] args) {
    }

    private SentinelDiff() throws ReflectiveOperationException {
        this.getFlowRules = FlowRuleManager.class.getDeclaredMethod("getFlowRules", String.class);
        this.getFlowRules.setAccessible(true);
        this.getRater = FlowRule.class.getDeclaredMethod("getRater");
        this.getRater.setAccessible(true);
    }

    public static void main(String[] argv) throws Exception {
        if (argv.length != 2) {
            System.err.println("usage: java -jar sentinel-diff.jar <scenario.json> <result.txt>");
            System.exit(2);
        }
        // Before any Sentinel class loads: no metric-log timer reading the clock in the
        // background, and logs out of the user's home.
        System.setProperty("csp.sentinel.metric.flush.interval", "0");
        if (System.getProperty("csp.sentinel.log.dir") == null) {
            System.setProperty("csp.sentinel.log.dir",
                Path.of(System.getProperty("java.io.tmpdir"), "sentinel-diff-logs").toString());
        }
        JSONObject scenario = JSON.parseObject(Files.readString(Path.of(argv[0]), StandardCharsets.UTF_8));
        TimeUtil.set(scenario.getLongValue("startMs"));
        if (scenario.containsKey("coldFactor")) {
            // Read once, when the first warm-up controller is built.
            System.setProperty("csp.sentinel.flow.cold.factor", scenario.getString("coldFactor"));
        }
        JSONObject rules = scenario.getJSONObject("rules");
        List<FlowRule> flow = rulesOf(rules, "flow", FlowRule.class);
        List<DegradeRule> degrade = rulesOf(rules, "degrade", DegradeRule.class);
        List<ParamFlowRule> param = rulesOf(rules, "paramFlow", ParamFlowRule.class);
        List<AuthorityRule> authority = rulesOf(rules, "authority", AuthorityRule.class);
        List<SystemRule> system = rulesOf(rules, "system", SystemRule.class);

        SentinelDiff diff = new SentinelDiff();
        EventObserverRegistry.getInstance().addStateChangeObserver("sentinel-diff",
            (prev, next, rule, snapshot) -> diff.out.add(
                diff.current + " S " + rule.getResource() + "/" + rule.getGrade() + " " + prev + " " + next));
        FlowRuleManager.loadRules(flow);
        DegradeRuleManager.loadRules(degrade);
        ParamFlowRuleManager.loadRules(param);
        AuthorityRuleManager.loadRules(authority);
        // Only the entry-QPS, concurrency and average-rt limits are deterministic: load and CPU
        // come from the OS, so scenarios leave them unset.
        SystemRuleManager.loadRules(system);
        // Java drops invalid rules silently; the test compares these counts with Silk's.
        diff.out.add("R flow " + FlowRuleManager.getRules().size());
        diff.out.add("R degrade " + DegradeRuleManager.getRules().size());
        diff.out.add("R paramFlow " + ParamFlowRuleManager.getRules().size());
        diff.out.add("R authority " + AuthorityRuleManager.getRules().size());

        JSONArray events = scenario.getJSONArray("events");
        for (int i = 0; i < events.size(); i++) {
            diff.current = i;
            diff.apply(events.getJSONObject(i));
        }
        diff.out.add("END " + events.size());
        try (BufferedWriter w = Files.newBufferedWriter(Path.of(argv[1]), StandardCharsets.UTF_8)) {
            for (String line : diff.out) {
                w.write(line);
                w.newLine();
            }
        }
        System.out.println("DONE " + events.size());
        System.exit(0);
    }

    private static <T> List<T> rulesOf(JSONObject rules, String kind, Class<T> type) {
        JSONArray list = rules == null ? null : rules.getJSONArray(kind);
        return list == null ? new ArrayList<>() : JSON.parseArray(list.toJSONString(), type);
    }

    private void apply(JSONObject ev) throws ReflectiveOperationException {
        long t = ev.getLongValue("t");
        if (t < TimeUtil.currentTimeMillis()) {
            throw new IllegalArgumentException("event " + current + " goes back in time: " + t);
        }
        TimeUtil.set(t);
        int id = ev.getIntValue("id");
        if ("entry".equals(ev.getString("op"))) {
            entry(ev, id);
        } else if ("exit".equals(ev.getString("op"))) {
            exit(ev, id);
        } else if ("metrics".equals(ev.getString("op"))) {
            out.add(current + " M " + metrics(ev.getString("resource")));
        } else if ("load".equals(ev.getString("op"))) {
            load(ev.getJSONObject("rules"));
            out.add(current + " L");
        } else {
            throw new IllegalArgumentException("event " + current + ": unknown op " + ev.getString("op"));
        }
    }

    private void entry(JSONObject ev, int id) throws ReflectiveOperationException {
        String resource = ev.getString("resource");
        int count = ev.containsKey("count") ? ev.getIntValue("count") : 1;
        JSONArray argList = ev.getJSONArray("args");
        Object[] args = argList == null ? new Object[0] : argList.toArray();
        for (int i = 0; i < args.length; i++) {
            // A collection argument as a Java caller would pass it (fastjson's JSONArray
            // prints itself as JSON, a List as [a, b]).
            if (args[i] instanceof JSONArray) {
                args[i] = new ArrayList<>((JSONArray) args[i]);
            }
        }
        EntryType type = "IN".equals(ev.getString("type")) ? EntryType.IN : EntryType.OUT;
        String contextName = ev.getString("context");
        String origin = ev.getString("origin") == null ? "" : ev.getString("origin");
        if (contextName != null) {
            ContextUtil.enter(contextName, origin);
        } else if (!origin.isEmpty()) {
            throw new IllegalArgumentException("event " + current + ": an origin needs a context name in Java");
        }
        List<Queue> queues = queuesOf(resource, args);
        boolean skipSleep = !queues.isEmpty() && queues.stream().noneMatch(q -> q.sleepInterruptFails);
        try {
            // The virtual clock does not move while Java sleeps out a queueing wait, so the
            // sleep is skipped: ThrottlingController and the hot-parameter throttle swallow the
            // InterruptedException of an interrupted sleep and pass the request (their wait is
            // read back from their state below). WarmUpRateLimiterController would block on it,
            // so it really sleeps.
            if (skipSleep) {
                Thread.currentThread().interrupt();
            }
            AsyncEntry entry = SphU.asyncEntry(resource, type, count, args);
            long wait = 0;
            for (Queue q : queues) {
                wait += q.waitSince(TimeUtil.currentTimeMillis());
            }
            open.put(id, new Open(entry, count, args));
            out.add(current + " P " + wait);
        } catch (BlockException e) {
            // Hot-parameter and system blocks name what tripped (the value, the limit type) where
            // the others name the rule's limitApp (or, for authority, the refused origin).
            String what = e instanceof ParamFlowException ? ((ParamFlowException) e).getLimitParam()
                : e instanceof SystemBlockException ? ((SystemBlockException) e).getLimitType()
                : e.getRuleLimitApp();
            out.add(current + " B " + kindOf(e) + " " + what);
        } finally {
            Thread.interrupted();
            ContextUtil.exit();
        }
    }

    private void exit(JSONObject ev, int id) {
        Open o = open.remove(id);
        if (o == null) {
            out.add(current + " -");
            return;
        }
        if (ev.getBooleanValue("error")) {
            Tracer.traceEntry(new IllegalStateException("scenario error"), o.entry);
        }
        o.entry.exit(o.count, o.args);
        out.add(current + " X");
    }

    /**
     * The resource's completed seconds of the last minute that saw traffic, oldest first, as
     * {@code start:pass/block/success/exception/rt} (the dashboard's metric line, rt averaged
     * over successes).
     */
    private static String metrics(String resource) {
        ClusterNode node = ClusterBuilderSlot.getClusterNode(resource);
        if (node == null) {
            return "none";
        }
        long now = TimeUtil.currentTimeMillis();
        long to = now - now % 1000;
        List<MetricNode> nodes = new ArrayList<>(node.rawMetricsInMin(ts -> ts >= to - 60_000 && ts < to));
        nodes.sort(Comparator.comparingLong(MetricNode::getTimestamp));
        StringBuilder b = new StringBuilder();
        for (MetricNode m : nodes) {
            if (m.getPassQps() + m.getBlockQps() + m.getSuccessQps() + m.getExceptionQps() + m.getRt()
                + m.getOccupiedPassQps() == 0) {
                continue;
            }
            b.append(b.length() == 0 ? "" : " ").append(m.getTimestamp()).append(':').append(m.getPassQps())
                .append('/').append(m.getBlockQps()).append('/').append(m.getSuccessQps()).append('/')
                .append(m.getExceptionQps()).append('/').append(m.getRt());
        }
        return b.toString();
    }

    /** A rule push while traffic runs (as a data source delivers it): only the kinds given change. */
    private static void load(JSONObject rules) {
        if (rules.containsKey("flow")) {
            FlowRuleManager.loadRules(rulesOf(rules, "flow", FlowRule.class));
        }
        if (rules.containsKey("degrade")) {
            DegradeRuleManager.loadRules(rulesOf(rules, "degrade", DegradeRule.class));
        }
        if (rules.containsKey("paramFlow")) {
            ParamFlowRuleManager.loadRules(rulesOf(rules, "paramFlow", ParamFlowRule.class));
        }
        if (rules.containsKey("authority")) {
            AuthorityRuleManager.loadRules(rulesOf(rules, "authority", AuthorityRule.class));
        }
        if (rules.containsKey("system")) {
            SystemRuleManager.loadRules(rulesOf(rules, "system", SystemRule.class));
        }
    }

    private static String kindOf(BlockException e) {
        if (e instanceof FlowException) {
            return "flow";
        }
        if (e instanceof DegradeException) {
            return "degrade";
        }
        if (e instanceof ParamFlowException) {
            return "param-flow";
        }
        if (e instanceof AuthorityException) {
            return "authority";
        }
        if (e instanceof SystemBlockException) {
            return "system";
        }
        return e.getClass().getSimpleName();
    }

    /** One queueing controller's "latest passed time", read before and after an entry. */
    private static final class Queue {
        final AtomicLong latest;
        final long before;
        final boolean sleepInterruptFails;

        Queue(AtomicLong latest, boolean sleepInterruptFails) {
            this.latest = latest;
            this.before = latest.get();
            this.sleepInterruptFails = sleepInterruptFails;
        }

        /**
         * Both controllers either set the latest time to now (no wait) or advance it by the
         * request's cost and sleep until it; a refused request leaves it where it was.
         */
        long waitSince(long now) {
            long after = latest.get();
            return after != before && after > now ? after - now : 0;
        }
    }

    private List<Queue> queuesOf(String resource, Object[] args) throws ReflectiveOperationException {
        List<Queue> queues = new ArrayList<>();
        @SuppressWarnings("unchecked")
        List<FlowRule> rules = (List<FlowRule>) getFlowRules.invoke(null, resource);
        if (rules != null) {
            for (FlowRule rule : rules) {
                Object rater = getRater.invoke(rule);
                if (rater instanceof ThrottlingController) {
                    if ((Boolean) field(rater, ThrottlingController.class, "useNanoSeconds")) {
                        throw new IllegalArgumentException("flow rule " + rule + " queues in nanoseconds, "
                            + "timed by System.nanoTime, which the virtual clock cannot drive");
                    }
                    queues.add(new Queue(
                        (AtomicLong) field(rater, ThrottlingController.class, "latestPassedTime"), false));
                } else if (rater instanceof WarmUpRateLimiterController) {
                    queues.add(new Queue(
                        (AtomicLong) field(rater, WarmUpRateLimiterController.class, "latestPassedTime"), true));
                }
            }
        }
        ParameterMetric metric = ParameterMetricStorage.getParamMetric(new StringResourceWrapper(resource, EntryType.OUT));
        for (ParamFlowRule rule : ParamFlowRuleManager.getRulesOfResource(resource)) {
            if (rule.getControlBehavior() != RuleConstant.CONTROL_BEHAVIOR_RATE_LIMITER || metric == null) {
                continue;
            }
            int idx = rule.getParamIdx() >= 0 ? rule.getParamIdx() : args.length + rule.getParamIdx();
            if (idx < 0 || idx >= args.length || args[idx] == null) {
                continue;
            }
            var times = metric.getRuleTimeCounter(rule);
            AtomicLong last = times == null ? null : times.get(args[idx]);
            if (last != null) {
                queues.add(new Queue(last, false));
            }
        }
        return queues;
    }

    private static Object field(Object target, Class<?> owner, String name) throws ReflectiveOperationException {
        Field f = owner.getDeclaredField(name);
        f.setAccessible(true);
        return f.get(target);
    }
}
