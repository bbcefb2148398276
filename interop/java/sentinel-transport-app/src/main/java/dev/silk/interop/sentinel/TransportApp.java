package dev.silk.interop.sentinel;

import com.alibaba.csp.sentinel.Entry;
import com.alibaba.csp.sentinel.EntryType;
import com.alibaba.csp.sentinel.SphU;
import com.alibaba.csp.sentinel.context.ContextUtil;
import com.alibaba.csp.sentinel.init.InitExecutor;
import com.alibaba.csp.sentinel.slots.block.BlockException;
import com.alibaba.csp.sentinel.slots.block.degrade.DegradeRule;
import com.alibaba.csp.sentinel.slots.block.degrade.DegradeRuleManager;
import com.alibaba.csp.sentinel.slots.block.flow.FlowRule;
import com.alibaba.csp.sentinel.slots.block.flow.FlowRuleManager;
import com.alibaba.csp.sentinel.transport.config.TransportConfig;
import java.util.List;

/**
 * Loads the rules the Silk test loads, sends the same trickle of web traffic through them, and
 * leaves the dashboard transport (configured by -D properties: project.name,
 * csp.sentinel.dashboard.server, csp.sentinel.api.port, csp.sentinel.heartbeat.client.ip)
 * answering. Prints READY with the command port once it listens.
 */
public final class TransportApp {
    public static void main(String[] args) throws Exception {
        FlowRule flow = new FlowRule("/hello");
        flow.setCount(1);
        FlowRuleManager.loadRules(List.of(flow));
        DegradeRule degrade = new DegradeRule("/hello");
        degrade.setGrade(2);
        degrade.setCount(3);
        degrade.setTimeWindow(5);
        DegradeRuleManager.loadRules(List.of(degrade));

        // The transport starts on first entry in a plain app; start it now instead.
        InitExecutor.doInit();
        while (TransportConfig.getRuntimePort() <= 0) Thread.sleep(50);
        System.out.println("READY " + TransportConfig.getRuntimePort());

        while (true) {
            ContextUtil.enter("sentinel_spring_web_context", "");
            try (Entry ignored = SphU.entry("/hello", 1, EntryType.IN)) {
                Thread.sleep(5);
            } catch (BlockException blocked) {
                // counted by Sentinel as a block
            } finally {
                ContextUtil.exit();
            }
            Thread.sleep(200);
        }
    }
}
