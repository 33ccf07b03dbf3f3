package dev.spikevae.experiment;

import dev.spikevae.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One training process per run folder: a second one fails at once naming the holder; a dead holder's lock is taken over. */
class RunLockTest {

    /** Holds the lock of the folder in args[0] until its standard input closes (the test's second process). */
    public static void main(String[] args) throws Exception {
        try (RunLock lock = RunLock.acquire(Path.of(args[0]))) {
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold until the parent closes the pipe or kills this process
            }
        }
    }

    private static Process holder(Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), RunLockTest.class.getName(),
                dir.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("locked", r.readLine(), "the other process took the lock");
        return p;
    }

    @Test
    void aSecondResumeOfARunFailsAtOnceNamingTheHolder(@TempDir Path tmp) throws Exception {
        ExperimentSpec spec = Specs.override(Specs.builtin("digits"), List.of("data.train_limit=32", "data.test_limit=16",
                "train.batch_size=16", "data.test_batch_size=16", "train.epochs=1", "model.timesteps=4", "model.latent=8",
                "train.sample_count=4", "run.device=cpu", "run.output=" + tmp));
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        Path run = ExperimentRunner.train(spec, List.of("test"), quiet).run().root();
        byte[] metrics = Files.readAllBytes(run.resolve("metrics.csv"));
        Process other = holder(run);
        try {
            RunLock.HeldException e = assertThrows(RunLock.HeldException.class,
                    () -> ExperimentRunner.resume(run, List.of("train.epochs=2"), List.of("test"), quiet));
            assertTrue(e.getMessage().contains("process " + other.pid()), e.getMessage());
            assertTrue(e.getMessage().contains("on host ") && e.getMessage().contains("started "), e.getMessage());
            assertEquals(List.of(metrics.length), List.of(Files.readAllBytes(run.resolve("metrics.csv")).length),
                    "no rows were added");
            // the command line says the same in one line, exit 1
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            PrintStream oldErr = System.err;
            int code;
            try {
                System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
                code = Main.run("train", "--resume", run.toString(), "train.epochs=2");
            } finally {
                System.setErr(oldErr);
            }
            assertEquals(1, code);
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("is in use by process " + other.pid()), err.toString());
        } finally {
            other.destroyForcibly();
            other.waitFor(60, TimeUnit.SECONDS);
        }
        // the holder died without releasing: its lock is stale and taken over
        try (RunLock lock = RunLock.acquire(run)) {
            assertNotNull(lock.staleHolder());
            assertTrue(lock.staleHolder().contains("process " + other.pid()), lock.staleHolder());
        }
        try (RunLock lock = RunLock.acquire(run)) {
            assertNull(lock.staleHolder(), "a lock released normally is not stale");
        }
        assertEquals(2, ExperimentRunner.resume(run, List.of("train.epochs=2"), List.of("test"), quiet).epochs());
    }

    @Test
    void twoRunsOfOneFolderInOneProcessExcludeEachOther(@TempDir Path tmp) throws Exception {
        try (RunLock first = RunLock.acquire(tmp)) {
            RunLock.HeldException e = assertThrows(RunLock.HeldException.class, () -> RunLock.acquire(tmp));
            assertTrue(e.getMessage().contains("process " + ProcessHandle.current().pid()), e.getMessage());
        }
        RunLock.acquire(tmp).close();
    }
}
