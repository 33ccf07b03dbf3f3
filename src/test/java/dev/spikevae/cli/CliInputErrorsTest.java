package dev.spikevae.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad values and usage: one line on stderr naming the option, exit 1, nothing written, never an internal error. */
class CliInputErrorsTest {

    private static Path checkpoint(Path tmp) throws Exception {
        Path dir = tmp.resolve("ck");
        Files.createDirectories(dir);
        for (String f : new String[] {"last.json", "last.safetensors"}) {
            try (InputStream in = CliInputErrorsTest.class.getResourceAsStream("/dev/spikevae/train/format-v1/" + f)) {
                assertNotNull(in, f);
                Files.copy(in, dir.resolve(f));
            }
        }
        return dir;
    }

    private static void assertOneLineError(CliTest.Run r, String command, String mentions) {
        assertEquals(1, r.code(), r.err() + r.out());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.startsWith("spikevae " + command + ": error: "), err);
        assertTrue(err.contains(mentions), err);
        for (String internal : new String[] {"Exception", "by zero", "out of bounds", "null", "GEMM"}) {
            assertFalse(err.contains(internal), err);
        }
    }

    @Test
    void badNumbersAreOneLineNamingTheOption(@TempDir Path tmp) throws Exception {
        Path ck = checkpoint(tmp);
        Path images = tmp.resolve("x.npy");
        dev.spikevae.io.Npy.write(images, new dev.spikevae.io.HostArray(new long[] {2, 1, 32, 32}, new float[2 * 32 * 32]));
        Path spikes = tmp.resolve("z.npy");
        dev.spikevae.io.Npy.write(spikes, new dev.spikevae.io.HostArray(new long[] {2, 32, 16}, new float[2 * 32 * 16]));
        String c = ck.toString();
        Path out = tmp.resolve("out");
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {"encode", "--batch-size", "encode", "--checkpoint", c, "--input", images.toString(),
                "--rates", out + ".npy", "--batch-size", "0"});
        cases.add(new String[] {"encode", "--batch-size", "encode", "--checkpoint", c, "--input", images.toString(),
                "--rates", out + ".npy", "--batch-size", "-1"});
        cases.add(new String[] {"decode", "--batch-size", "decode", "--checkpoint", c, "--spikes", spikes.toString(),
                "--output", out + ".npy", "--batch-size", "0"});
        cases.add(new String[] {"sample", "--columns", "sample", "--checkpoint", c, "--output", out + ".png", "--columns", "0"});
        cases.add(new String[] {"sample", "--count", "sample", "--checkpoint", c, "--output", out + ".png", "-n", "-5"});
        cases.add(new String[] {"sample", ".png", "sample", "--checkpoint", c, "--output", out + ".jpg"});
        cases.add(new String[] {"eval", "--limit", "eval", "--checkpoint", c, "--limit", "-3"});
        cases.add(new String[] {"eval", "--batch-size", "eval", "--checkpoint", c, "--batch-size", "0"});
        cases.add(new String[] {"robustness", "--images", "robustness", "--checkpoint", c, "--output", out.toString(),
                "--images", "0"});
        cases.add(new String[] {"robustness", "--levels", "robustness", "--checkpoint", c, "--output", out.toString(),
                "--levels", "1.5"});
        cases.add(new String[] {"bench", "--iterations", "bench", "--quick", "--iterations", "0"});
        cases.add(new String[] {"eval", "--device", "eval", "--checkpoint", c, "--device", "tpu"});
        // usage errors: the same one-line format and exit code
        cases.add(new String[] {"eval", "--checkpoint", "eval"});
        cases.add(new String[] {"train", "--bogus", "train", "--bogus"});
        cases.add(new String[] {"encode", "--batch-size", "encode", "--checkpoint", c, "--input", images.toString(),
                "--rates", out + ".npy", "--batch-size", "many"});
        for (String[] k : cases) {
            String[] args = java.util.Arrays.copyOfRange(k, 2, k.length);
            CliTest.Run r = CliTest.run(args);
            assertOneLineError(r, k[0], k[1]);
        }
        try (var s = Files.list(tmp)) {
            assertEquals(List.of("ck", "x.npy", "z.npy"), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "nothing was written");
        }
    }

    @Test
    void versionComesFromTheBuild() {
        CliTest.Run r = CliTest.run("--version");
        assertEquals(0, r.code());
        assertTrue(r.out().strip().matches("spikevae \\d+\\.\\d+\\.\\d+.*"), r.out());
    }
}
