/*
 * Runs several mqadmin sub-commands in one JVM.
 *
 * Starting a JVM with the RocketMQ tools classpath costs seconds on a small machine, and the stack
 * creates a handful of topics and groups at every `up`; so instead of one `mqadmin` process per
 * topic, stack/src/servers/rocketmq.ts pipes one command per line (arguments separated by tabs,
 * exactly as they would follow `mqadmin` on a shell) into this launcher, run with
 * `java -cp <classpath> MqAdminBatch.java` (Java's single-file source mode, so nothing is built).
 *
 * MQAdminStartup.main swallows failures (it prints the stack trace and returns normally), so the
 * sub-commands are driven directly: their SubCommandException is what tells a failed command from
 * a successful one. Every command gets one result line starting with RESULT_PREFIX; the exit code
 * is 1 when any command failed.
 */

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Options;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.srvutil.ServerUtil;
import org.apache.rocketmq.tools.command.SubCommand;
import org.apache.rocketmq.tools.command.consumer.DeleteSubscriptionGroupCommand;
import org.apache.rocketmq.tools.command.consumer.UpdateSubGroupSubCommand;
import org.apache.rocketmq.tools.command.topic.DeleteTopicSubCommand;
import org.apache.rocketmq.tools.command.topic.UpdateTopicSubCommand;

public class MqAdminBatch {
    static final String RESULT_PREFIX = "silk-mqadmin:";

    /** Only what the stack needs; add a sub-command here before piping it in. */
    static final List<SubCommand> COMMANDS = List.of(
        new UpdateTopicSubCommand(),
        new DeleteTopicSubCommand(),
        new UpdateSubGroupSubCommand(),
        new DeleteSubscriptionGroupCommand());

    public static void main(String[] args) throws Exception {
        int failed = 0;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            String[] argv = line.split("\t");
            try {
                run(argv);
                System.out.println(RESULT_PREFIX + " ok " + String.join(" ", argv));
            } catch (Exception e) {
                failed++;
                Throwable root = e;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                System.out.println(RESULT_PREFIX + " failed " + String.join(" ", argv) + ": " + root);
            }
        }
        // Admin clients leave non-daemon threads behind; the batch is over, so leave explicitly.
        System.exit(failed == 0 ? 0 : 1);
    }

    static void run(String[] argv) throws Exception {
        SubCommand cmd = COMMANDS.stream()
            .filter(c -> c.commandName().equals(argv[0]))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("unsupported sub-command " + argv[0]));
        Options options = cmd.buildCommandlineOptions(ServerUtil.buildCommandlineOptions(new Options()));
        CommandLine commandLine = new DefaultParser().parse(options, Arrays.copyOfRange(argv, 1, argv.length));
        if (commandLine.hasOption('n')) {
            // Same as mqadmin: the admin client finds the name server through this property.
            System.setProperty(MixAll.NAMESRV_ADDR_PROPERTY, commandLine.getOptionValue('n'));
        }
        cmd.execute(commandLine, options, null);
    }
}
