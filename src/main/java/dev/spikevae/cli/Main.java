package dev.spikevae.cli;

import dev.spikevae.tensor.BackendOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code spikevae} command line. Errors are one line on stderr and a non-zero exit code. */
@Command(name = "spikevae", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Spiking variational autoencoders (ESVAE) on a fast CPU backend: train, evaluate, sample, encode, decode.",
        subcommands = {DemoCommand.class, TrainCommand.class, SweepCommand.class, ReproduceCommand.class,
                ReportCommand.class, RobustnessCommand.class, EvalCommand.class, ScoreCommand.class, SampleCommand.class,
                EncodeCommand.class,
                DecodeCommand.class, DoctorCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    /** Whether this invocation lets the CUDA backend use cuBLAS / cuDNN ({@code --no-vendor-libs} turns them off). */
    private static volatile boolean vendorLibraries = true;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this). */
    public static int run(String... args) {
        SpecArgs.remember(args);
        vendorLibraries = true;
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            String msg = ex.getMessage() == null ? ex.toString() : ex.getMessage();
            cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": error: " + msg);
            if (Boolean.getBoolean("spikevae.stacktrace")) {
                ex.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        cli.setParameterExceptionHandler((ex, rest) -> {
            CommandLine cmd = ex.getCommandLine();
            String name = cmd.getCommandSpec().qualifiedName();
            cmd.getErr().println(name + ": error: " + oneLine(ex.getMessage()) + " (see '" + name + " --help')");
            return 1;
        });
        return cli.execute(args);
    }

    /** A message as one line (picocli's may span several). */
    static String oneLine(String message) {
        return message == null ? "invalid usage" : message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    /** Global, accepted after any command: the CUDA backend then uses only its own kernels. */
    @Option(names = "--no-vendor-libs", scope = CommandLine.ScopeType.INHERIT,
            description = "On cuda: use spikevae's own kernels even where cuBLAS loaded.")
    void noVendorLibs(boolean on) {
        if (on) {
            vendorLibraries = false;
        }
    }

    /** The options every command creates its backend with: the defaults, adjusted by the global flags. */
    static BackendOptions backendOptions() {
        BackendOptions defaults = BackendOptions.defaults();
        return vendorLibraries ? defaults : defaults.withVendorLibraries(false);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** The version: the jar manifest's Implementation-Version, else the one the build wrote next to the classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"spikevae " + version()};
        }
    }

    /** This build's version ({@code pom.xml}'s), or "unknown" if neither the manifest nor the build says it. */
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        if (v != null) {
            return v;
        }
        try (java.io.InputStream in = Main.class.getResourceAsStream("/dev/spikevae/version.properties")) {
            if (in != null) {
                java.util.Properties p = new java.util.Properties();
                p.load(in);
                String fromBuild = p.getProperty("version");
                if (fromBuild != null && !fromBuild.isBlank() && !fromBuild.contains("${")) {
                    return fromBuild.strip();
                }
            }
        } catch (java.io.IOException e) {
            // fall through
        }
        return "unknown";
    }
}
