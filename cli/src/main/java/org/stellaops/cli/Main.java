package org.stellaops.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code stella} command line. */
@Command(name = "stella", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Stella Ops: SBOMs, verdicts and attestations for container images.",
        subcommands = {ScanCommand.class, DiffCommand.class, ReportCommand.class, PolicyCommand.class, FeedsCommand.class, AttestCommand.class,
                VerifyCommand.class, AdmissionCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (see stella --help)");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI and returns its exit code (tests call this). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("stella: " + ex.getMessage());
            return ExitCodes.INVALID_ARGUMENTS;
        });
        return cl.execute(args);
    }

    public static String version() {
        try (InputStream in = Main.class.getResourceAsStream("/stella-version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"stella " + version() + " (Java " + System.getProperty("java.version") + ")"};
        }
    }
}
