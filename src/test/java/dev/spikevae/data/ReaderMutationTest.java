package dev.spikevae.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.spikevae.experiment.SpecException;
import dev.spikevae.experiment.Specs;
import dev.spikevae.io.HostArray;
import dev.spikevae.io.Npy;
import dev.spikevae.io.Npz;
import dev.spikevae.io.Safetensors;
import dev.spikevae.train.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A seeded mutation (fuzz) test over every reader of user files: spec YAML and JSON, IDX images and labels, CIFAR-10
 * batches, the CelebA partition file, safetensors, npy, npz and the checkpoint sidecar. Each valid seed file is
 * mutated many times (truncations, bit flips, huge or negative lengths written over 4 or 8 bytes, inserted and
 * deleted bytes, text tokens replaced by values of other types) and read back. Every input must either read or end
 * in the reader's own error type with a message naming the file; an internal exception (index out of bounds, null
 * pointer, out of memory, negative array size, arithmetic, class cast...) fails the test with the seed that
 * reproduces it. The numbers of inputs tried are printed; docs/reliability.md records them.
 */
class ReaderMutationTest {
    /** Inputs per reader; 12 readers, so several thousand inputs in all. */
    static final int PER_READER = Integer.getInteger("spikevae.fuzz.perReader", 400);
    static final long SEED = Long.getLong("spikevae.fuzz.seed", 20261202L);

    @FunctionalInterface
    interface Reader {
        void read(Path file) throws Exception;
    }

    /** A reader and its valid seed file; only the first {@code head} bytes are mutated (0: all of them). */
    record Target(String name, String fileName, byte[] seed, boolean text, Reader reader,
                  List<Class<? extends Throwable>> errors, int head) {
        Target(String name, String fileName, byte[] seed, boolean text, Reader reader,
               List<Class<? extends Throwable>> errors) {
            this(name, fileName, seed, text, reader, errors, 0);
        }

        byte[] mutated(Random r) {
            if (head == 0 || head >= seed.length) {
                return mutate(seed, text, r);
            }
            byte[] front = mutate(java.util.Arrays.copyOf(seed, head), text, r);
            return splice(seed, 0, head, front);
        }
    }

    @Test
    void mutatedInputsEndInTheReadersOwnErrorNamingTheFile(@TempDir Path tmp) throws Exception {
        List<Target> targets = targets(tmp);
        Map<String, String> failures = new TreeMap<>();
        Map<String, Integer> tried = new LinkedHashMap<>();
        Map<String, Integer> rejected = new LinkedHashMap<>();
        Random rnd = new Random(SEED);
        int total = 0;
        for (Target t : targets) {
            Path dir = Files.createDirectories(tmp.resolve("fuzz-" + t.name()));
            Path file = dir.resolve(t.fileName());
            for (int i = 0; i < PER_READER; i++) {
                long inputSeed = rnd.nextLong();
                byte[] input = t.mutated(new Random(inputSeed));
                Files.write(file, input);
                total++;
                tried.merge(t.name(), 1, Integer::sum);
                try {
                    t.reader().read(file);
                } catch (Throwable e) {
                    boolean own = t.errors().stream().anyMatch(c -> c.isInstance(e));
                    String msg = String.valueOf(e.getMessage());
                    if (own && msg.contains(file.getFileName().toString())) {
                        rejected.merge(t.name(), 1, Integer::sum);
                        continue;
                    }
                    String key = t.name() + ": " + e.getClass().getName() + (own ? " without the file name" : "");
                    failures.putIfAbsent(key, "input seed " + inputSeed + ": " + msg + " at "
                            + (e.getStackTrace().length > 0 ? e.getStackTrace()[0] : "?"));
                }
            }
        }
        System.out.println("reader mutation test: " + total + " inputs (seed " + SEED + "), per reader " + tried
                + ", rejected with the reader's own error " + rejected);
        assertTrue(total >= 12 * PER_READER);
        assertTrue(failures.isEmpty(), "internal errors on mutated input:\n" + String.join("\n",
                failures.entrySet().stream().map(e -> e.getKey() + " — " + e.getValue()).toList()));
    }

    private static List<Target> targets(Path tmp) throws Exception {
        List<Target> out = new ArrayList<>();
        List<Class<? extends Throwable>> spec = List.of(SpecException.class);
        List<Class<? extends Throwable>> data = List.of(DatasetException.class);
        List<Class<? extends Throwable>> io = List.of(IOException.class);

        String yaml = Specs.toYaml(Specs.builtin("digits"));
        out.add(new Target("spec-yaml", "spec.yaml", yaml.getBytes(StandardCharsets.UTF_8), true, Specs::load, spec));
        String json = new ObjectMapper().writerWithDefaultPrettyPrinter()
                .writeValueAsString(new YAMLMapper().readTree(yaml));
        out.add(new Target("spec-json", "spec.json", json.getBytes(StandardCharsets.UTF_8), true, Specs::load, spec));

        byte[] pixels = new byte[3 * 4 * 4];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 7);
        }
        out.add(new Target("idx-images", "images-idx3-ubyte", IdxWriter.images(0x803, 3, 4, 4, pixels), false,
                IdxFiles::readImages, data));
        out.add(new Target("idx-images-gz", "images-idx3-ubyte.gz",
                IdxWriter.gzip(IdxWriter.images(0x803, 3, 4, 4, pixels)), false, IdxFiles::readImages, data));
        out.add(new Target("idx-labels", "labels-idx1-ubyte", IdxWriter.labels(0x801, 3, new byte[] {1, 2, 3}), false,
                f -> IdxFiles.readLabels(f, 10), data));

        byte[] cifar = new byte[3 * Cifar10Files.RECORD_BYTES];
        for (int i = 0; i < cifar.length; i++) {
            cifar[i] = (byte) (i % Cifar10Files.RECORD_BYTES == 0 ? i % 10 : i);
        }
        out.add(new Target("cifar10", "data_batch_1.bin", cifar, false,
                f -> Cifar10Files.read("cifar10/fuzz", new Path[] {f}, 3), data));

        String partition = "000001.jpg 0\n000002.jpg 2\n000003.jpg 1\n000004.jpg 2\n";
        out.add(new Target("celeba-partition", "list_eval_partition.txt", partition.getBytes(StandardCharsets.UTF_8),
                true, f -> CelebaPartition.read(f, 2), data));

        Map<String, HostArray> tensors = new LinkedHashMap<>();
        tensors.put("a.weight", new HostArray(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}));
        tensors.put("b", new HostArray(new long[] {4}, new float[] {-1, 0, 1, 2}));
        Path st = tmp.resolve("seed.safetensors");
        Safetensors.write(st, tensors, Map.of("format", "test"));
        out.add(new Target("safetensors", "x.safetensors", Files.readAllBytes(st), false, Safetensors::read, io));

        Path npy = tmp.resolve("seed.npy");
        Npy.write(npy, tensors.get("a.weight"));
        out.add(new Target("npy", "x.npy", Files.readAllBytes(npy), false, Npy::read, io));
        Path npz = tmp.resolve("seed.npz");
        Npz.write(npz, tensors);
        out.add(new Target("npz", "x.npz", Files.readAllBytes(npz), false, Npz::read, io));

        // a checkpoint sidecar next to valid weights: only the sidecar is mutated
        Path ckDir = Files.createDirectories(tmp.resolve("fuzz-checkpoint-sidecar"));
        byte[] sidecar;
        for (String f : new String[] {"last.json", "last.safetensors"}) {
            try (InputStream in = ReaderMutationTest.class.getResourceAsStream("/dev/spikevae/train/format-v1/" + f)) {
                assertNotNull(in, f);
                Files.copy(in, ckDir.resolve(f));
            }
        }
        sidecar = Files.readAllBytes(ckDir.resolve("last.json"));
        out.add(new Target("checkpoint-sidecar", "last.json", sidecar, true, Checkpoint::load, io));
        // a model's weights alone (no sidecar), read through the checkpoint loader: the header is what is mutated
        byte[] weights = Files.readAllBytes(ckDir.resolve("last.safetensors"));
        int headerEnd = (int) (8 + java.nio.ByteBuffer.wrap(weights, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong());
        out.add(new Target("checkpoint-weights", "w.safetensors", weights, false, Checkpoint::load, io, headerEnd + 64));
        return out;
    }

    private static final String[] TOKENS = {"-1", "0", "1e999", "-2147483649", "99999999999", "null", "[]", "{}",
            "\"x\"", "true", "NaN", "~", ":", "- ", "\"", "'", "\t", "\n", "base: x.yaml", "&a", "*a", "!!binary"};

    /** One mutated copy of {@code seed}: one to three edits chosen at random. */
    static byte[] mutate(byte[] seed, boolean text, Random r) {
        byte[] b = seed.clone();
        int edits = 1 + r.nextInt(3);
        for (int e = 0; e < edits; e++) {
            int kind = r.nextInt(text ? 7 : 6);
            int n = b.length;
            switch (kind) {
                case 0 -> b = java.util.Arrays.copyOf(b, n == 0 ? 0 : r.nextInt(n)); // truncation
                case 1 -> { // bit flips
                    for (int k = 0, flips = 1 + r.nextInt(8); k < flips && n > 0; k++) {
                        int at = r.nextInt(n);
                        b[at] ^= (byte) (1 << r.nextInt(8));
                    }
                }
                case 2 -> { // a huge, negative or zero length over 4 or 8 bytes (either byte order)
                    if (n >= 8) {
                        long[] values = {0xFFFFFFFFL, 0x7FFFFFFFL, 0x80000000L, 0, -1L, Long.MAX_VALUE, 1L << 40,
                                0x7FFFFFF0L};
                        long v = values[r.nextInt(values.length)];
                        int width = r.nextBoolean() ? 4 : 8;
                        int at = r.nextInt(n - width + 1);
                        boolean little = r.nextBoolean();
                        for (int i = 0; i < width; i++) {
                            int shift = 8 * (little ? i : width - 1 - i);
                            b[at + i] = (byte) (v >>> shift);
                        }
                    }
                }
                case 3 -> { // inserted random bytes
                    int at = n == 0 ? 0 : r.nextInt(n + 1);
                    byte[] ins = new byte[1 + r.nextInt(16)];
                    r.nextBytes(ins);
                    b = splice(b, at, at, ins);
                }
                case 4 -> { // a deleted range
                    if (n > 1) {
                        int at = r.nextInt(n);
                        int len = 1 + r.nextInt(Math.min(32, n - at));
                        b = splice(b, at, at + len, new byte[0]);
                    }
                }
                case 5 -> { // a duplicated range
                    if (n > 1) {
                        int at = r.nextInt(n);
                        int len = 1 + r.nextInt(Math.min(64, n - at));
                        b = splice(b, at, at, java.util.Arrays.copyOfRange(b, at, at + len));
                    }
                }
                default -> { // a text token replaced by a value of another type
                    String s = new String(b, StandardCharsets.UTF_8);
                    List<int[]> tokens = new ArrayList<>();
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("[A-Za-z0-9_.\\-+]+").matcher(s);
                    while (m.find()) {
                        tokens.add(new int[] {m.start(), m.end()});
                    }
                    if (!tokens.isEmpty()) {
                        int[] t = tokens.get(r.nextInt(tokens.size()));
                        s = s.substring(0, t[0]) + TOKENS[r.nextInt(TOKENS.length)] + s.substring(t[1]);
                        b = s.getBytes(StandardCharsets.UTF_8);
                    }
                }
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int from, int to, byte[] ins) {
        byte[] out = new byte[b.length - (to - from) + ins.length];
        System.arraycopy(b, 0, out, 0, from);
        System.arraycopy(ins, 0, out, from, ins.length);
        System.arraycopy(b, to, out, from + ins.length, b.length - to);
        return out;
    }
}
