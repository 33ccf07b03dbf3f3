package dev.spikevae.container;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.DeviceRequest;
import com.sun.security.auth.module.UnixSystem;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * One container of the image under test, as a user starts it: {@code docker run [--gpus all] -v HOST:PATH[:ro] IMAGE ARGS}.
 * It runs as the image's own (non-root) user, or as the test's user where the tests do not run as root, so that
 * what it writes into a mounted folder belongs to whoever runs the tests (docker/README.md recommends
 * {@code --user "$(id -u):$(id -g)"} for the same reason).
 */
final class SpikevaeContainer implements AutoCloseable {
    /** Long enough for the slowest step (a short training run on two busy cores); no assertion depends on it. */
    static final Duration RUN_LIMIT = Duration.ofMinutes(10);
    /** The JVM's line about the Vector API module, on every start: not part of any command's output. */
    static final String INCUBATOR_WARNING = "WARNING: Using incubator modules: jdk.incubator.vector";

    private final GenericContainer<?> container;
    private final StringBuffer stdout = new StringBuffer();
    private final List<Watch> watches = new ArrayList<>();

    /** The outcome of a container that ran to its end (or was killed). */
    record Outcome(long exitCode, String stdout, String stderr) {
        /** The lines of stderr, less the JVM's incubator-module line. */
        List<String> errorLines() {
            return stderr.lines().filter(l -> !l.isBlank() && !l.equals(INCUBATOR_WARNING)).collect(Collectors.toList());
        }

        /** Both streams, for assertion messages. */
        String transcript() {
            return "exit code " + exitCode + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
        }
    }

    /** Completes with true when the text shows up, with false when the output ends without it. */
    private record Watch(String text, CompletableFuture<Boolean> seen) {}

    private boolean ended;

    private SpikevaeContainer(Accelerator accelerator, String... command) {
        container = new GenericContainer<>(SpikevaeImage.name())
                .withStartupCheckStrategy(new Created())
                .withCommand(command);
        UnixSystem user = new UnixSystem();
        container.withCreateContainerCmdModifier(cmd -> {
            if (user.getUid() != 0) {
                cmd.withUser(user.getUid() + ":" + user.getGid());
            }
            if (accelerator == Accelerator.GPU) {
                cmd.getHostConfig().withDeviceRequests(List.of(new DeviceRequest().withCount(-1)
                        .withCapabilities(List.of(List.of("gpu")))));
            }
        });
        if (accelerator == Accelerator.CPU) {
            container.withEnv("NVIDIA_VISIBLE_DEVICES", "void"); // no GPU even where the NVIDIA runtime is the default
        }
    }

    /** A container running {@code spikevae ARGS}. */
    static SpikevaeContainer spikevae(Accelerator accelerator, String... args) {
        return new SpikevaeContainer(accelerator, args);
    }

    /** A container running {@code COMMAND} instead of the entrypoint (to look inside the image). */
    static SpikevaeContainer shell(Accelerator accelerator, String... command) {
        SpikevaeContainer c = new SpikevaeContainer(accelerator, Arrays.copyOfRange(command, 1, command.length));
        c.container.withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint(command[0]));
        return c;
    }

    /** Mounts a host folder or file ({@code -v HOST:PATH[:ro]}). */
    SpikevaeContainer mount(Path host, String path, boolean readOnly) {
        container.withFileSystemBind(host.toAbsolutePath().toString(), path,
                readOnly ? BindMode.READ_ONLY : BindMode.READ_WRITE);
        return this;
    }

    SpikevaeContainer env(String key, String value) {
        container.withEnv(key, value);
        return this;
    }

    /**
     * A host folder the container may write into: created, and opened to everyone when the tests run as root (the
     * container then runs as the image's user, who owns nothing on the host).
     */
    static Path writableFolder(Path dir) throws IOException {
        Files.createDirectories(dir);
        if (new UnixSystem().getUid() == 0) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        }
        return dir;
    }

    /** Runs the container to its end and returns what it printed. */
    Outcome run() throws Exception {
        start();
        return awaitExit();
    }

    /** Starts the container and follows its stdout (for {@link #awaitOutput}). */
    void start() {
        container.start();
        container.followOutput(this::accept, OutputFrame.OutputType.STDOUT);
    }

    /** Returns once stdout contains {@code text}; fails when the container ends first (or after {@link #RUN_LIMIT}). */
    void awaitOutput(String text) throws Exception {
        CompletableFuture<Boolean> seen = new CompletableFuture<>();
        synchronized (this) {
            watches.add(new Watch(text, seen));
            check();
        }
        boolean found;
        try {
            found = seen.get(RUN_LIMIT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no '" + text + "' in the container's output after " + RUN_LIMIT + ":\n" + stdout);
        }
        if (!found) {
            throw new AssertionError("the container ended before printing '" + text + "':\n" + awaitExit().transcript());
        }
    }

    /** {@code docker kill}: SIGKILL, as a lost machine or an OOM kill would stop it; returns what it printed. */
    Outcome kill() throws Exception {
        DockerClient client = DockerClientFactory.instance().client();
        client.killContainerCmd(container.getContainerId()).exec();
        return awaitExit();
    }

    private Outcome awaitExit() {
        long code = DockerClientFactory.instance().client().waitContainerCmd(container.getContainerId()).start()
                .awaitStatusCode(RUN_LIMIT.toSeconds(), TimeUnit.SECONDS);
        return new Outcome(code, container.getLogs(OutputFrame.OutputType.STDOUT),
                container.getLogs(OutputFrame.OutputType.STDERR));
    }

    private synchronized void accept(OutputFrame frame) {
        if (frame.getType() == OutputFrame.OutputType.END) {
            ended = true;
        } else {
            stdout.append(frame.getUtf8String());
        }
        check();
    }

    private void check() {
        for (Watch w : watches) {
            if (stdout.indexOf(w.text()) >= 0) {
                w.seen().complete(true);
            } else if (ended) {
                w.seen().complete(false);
            }
        }
    }

    /** Removes the container (its mounted folders stay). */
    @Override
    public void close() {
        container.stop();
    }

    /** Startup means created and started: the tests wait for the command's end themselves, whatever its exit code. */
    private static final class Created extends StartupCheckStrategy {
        @Override
        public StartupStatus checkStartupState(DockerClient dockerClient, String containerId) {
            return StartupStatus.SUCCESSFUL;
        }
    }
}
