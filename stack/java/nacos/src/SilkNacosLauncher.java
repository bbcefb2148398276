import com.alibaba.nacos.NacosServerBasicApplication;
import com.alibaba.nacos.NacosServerWebApplication;
import com.alibaba.nacos.console.NacosConsole;
import com.alibaba.nacos.core.listener.startup.NacosStartUp;
import com.alibaba.nacos.core.listener.startup.NacosStartUpManager;
import com.alibaba.nacos.sys.env.DeploymentType;
import com.alibaba.nacos.sys.env.EnvUtil;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts Nacos 3 in "merged" deployment (server and console in one JVM), the way the official
 * distribution's bootstrap module does. That module (nacos-bootstrap) is not on Maven Central, so
 * the stack compiles this stand-in against the resolved classpath.
 *
 * Nacos 3 runs three Spring contexts: a core context without a web server (cluster membership,
 * persistence, auth), then two web children that share it: the server (Open API + gRPC on the main
 * port) and the console (UI and console API on its own port). Each phase is announced to
 * NacosStartUpManager before its context runs: Nacos' run listener asks the manager for the current
 * phase to prepare that context (work dirs, the application.properties in the directory named by
 * spring.config.additional-location, start-up log) and fails with "Nacos don't start up." when none
 * was announced.
 *
 * Standalone mode, nacos.home and the config directory come from the command line that
 * stack/src/servers/nacos.ts builds.
 */
public final class SilkNacosLauncher {

    private SilkNacosLauncher() {
    }

    public static void main(String[] args) {
        // Set before any context exists: Nacos reads it statically while building the core context.
        EnvUtil.setDeploymentType(DeploymentType.MERGED);

        NacosStartUpManager.start(NacosStartUp.CORE_START_UP_PHASE);
        ConfigurableApplicationContext core = new SpringApplicationBuilder(NacosServerBasicApplication.class)
                .web(WebApplicationType.NONE)
                .run(args);

        NacosStartUpManager.start(NacosStartUp.WEB_START_UP_PHASE);
        new SpringApplicationBuilder(NacosServerWebApplication.class).parent(core).run(args);

        NacosStartUpManager.start(NacosStartUp.CONSOLE_START_UP_PHASE);
        new SpringApplicationBuilder(NacosConsole.class).parent(core).run(args);
    }
}
