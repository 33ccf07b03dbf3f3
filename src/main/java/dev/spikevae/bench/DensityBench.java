package dev.spikevae.bench;

import dev.spikevae.backend.cpu.CpuBackend;
import dev.spikevae.backend.cpu.SpikeDensityProbe;
import dev.spikevae.data.Datasets;
import dev.spikevae.data.ImageDataset;
import dev.spikevae.data.Split;
import dev.spikevae.experiment.ExperimentRunner;
import dev.spikevae.experiment.ExperimentSpec;
import dev.spikevae.experiment.Specs;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.ConvGeometry;
import dev.spikevae.tensor.DType;
import dev.spikevae.tensor.Rng;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Firing densities (the fraction of non-zero elements) of the operand that each convolution and linear layer of a
 * built-in spec's model reads, measured over a few training steps of the trainer's own step on the spec's training
 * images (the embedded digits when the dataset is not on this machine, random images for three channels): the
 * numbers that the CPU backend's spike-sparse threshold is read against (docs/benchmarks.md). The CPU backend
 * reports every call through its density probe, which is off otherwise.
 */
public final class DensityBench {
    /** One measured operand: what reads it, its type, and its mean density over the steps. */
    public record Layer(String name, String pass, String shape, String operand, DType type, double density,
                        ConvGeometry geometry) {
    }

    private DensityBench() {
    }

    /** Trains {@code steps} steps of {@code specName}'s model at {@code batch} and returns the densities, layer by layer. */
    public static List<Layer> run(Backend backend, String specName, int batch, int steps, PrintStream log) {
        if (!(backend instanceof CpuBackend be)) {
            throw new IllegalArgumentException("--densities / --sparse: the density probe and the spike-sparse "
                    + "convolutions are the cpu backend's; run with --device cpu");
        }
        ExperimentSpec spec = Specs.builtin(specName);
        ImageDataset data = data(spec, log);
        if (data != null && (data.height() != 32 || data.width() != 32)) {
            throw new IllegalArgumentException("--densities: the benchmark builds models for 32x32 images; " + data.name()
                    + " has " + data.height() + "x" + data.width());
        }
        int channels = data == null ? 3 : data.channels();
        Map<String, long[]> counts = new LinkedHashMap<>();
        Map<String, Object[]> info = new LinkedHashMap<>();
        SpikeDensityProbe probe = new SpikeDensityProbe() {
            @Override
            public void record(String pass, ConvGeometry g, String operand, DType type, long nonZero, long total) {
                ConvGeometry one = g.withBatch(1);
                String key = pass + " " + operand + " " + type + " " + one;
                add(key, nonZero, total);
                info.putIfAbsent(key, new Object[] {pass, one, operand, type});
            }

            @Override
            public void linear(int m, int n, int k, DType type, long nonZero, long total) {
                String key = "linear " + k + "->" + n + " (" + m + " rows) " + type;
                add(key, nonZero, total);
                info.putIfAbsent(key, new Object[] {"linear", null, "x", type});
            }

            private void add(String key, long nonZero, long total) {
                long[] c = counts.computeIfAbsent(key, k -> new long[2]);
                c[0] += nonZero;
                c[1] += total;
            }
        };
        Rng rng = new Rng(0);
        float[] pixels = new float[batch * channels * 32 * 32];
        try (TrainingStepBench.Step step = new TrainingStepBench.Step(be, spec, channels, rng.fork())) {
            for (int s = 0; s < steps; s++) {
                fill(data, s, batch, pixels, rng);
                be.setSpikeDensityProbe(s == 0 ? null : probe); // the first step warms up
                try {
                    float loss = step.run(pixels, batch, rng);
                    if (log != null) {
                        log.printf(Locale.ROOT, "  step %d: loss %.5f%n", s + 1, loss);
                    }
                } finally {
                    be.setSpikeDensityProbe(null);
                }
            }
        }
        return name(counts, info);
    }

    /** The spec's training images, else the embedded digits (one channel), else null (random images). */
    private static ImageDataset data(ExperimentSpec spec, PrintStream log) {
        try {
            ImageDataset d = ExperimentRunner.dataset(spec, Split.TRAIN);
            say(log, "images: " + d.name() + " (" + d.size() + ")");
            return d;
        } catch (RuntimeException e) {
            if (threeChannels(spec.data().dataset())) {
                say(log, "images: random in [-1, 1] (" + e.getMessage() + ")");
                return null;
            }
            say(log, "images: the embedded digits (" + spec.data().dataset() + " not readable here: " + e.getMessage() + ")");
            return Datasets.open("digits", null, Split.TRAIN);
        }
    }

    private static boolean threeChannels(String dataset) {
        return dataset.contains("cifar") || dataset.contains("celeba");
    }

    private static void say(PrintStream log, String line) {
        if (log != null) {
            log.println(line);
        }
    }

    private static void fill(ImageDataset data, int step, int batch, float[] pixels, Rng rng) {
        if (data == null) {
            float[] r = TrainingStepBench.images(rng, batch, pixels.length / (batch * 32 * 32));
            System.arraycopy(r, 0, pixels, 0, pixels.length);
            return;
        }
        int size = data.imageSize();
        for (int i = 0; i < batch; i++) {
            data.read((step * batch + i) % data.size(), pixels, i * size, false);
        }
    }

    /**
     * Names the operands in the order the model first reads them: the forward convolutions before the first
     * transposed convolution are the encoder, backward-data calls on spikes the decoder's transposed
     * convolutions (the last two the final layer); the backward passes are matched to them by geometry.
     */
    private static List<Layer> name(Map<String, long[]> counts, Map<String, Object[]> info) {
        List<ConvGeometry> encoder = new ArrayList<>();
        List<ConvGeometry> decoder = new ArrayList<>();
        Map<String, Boolean> backwardPass = new LinkedHashMap<>();
        for (Map.Entry<String, Object[]> e : info.entrySet()) {
            String pass = (String) e.getValue()[0];
            ConvGeometry g = (ConvGeometry) e.getValue()[1];
            boolean spikes = e.getValue()[3] == DType.U8;
            if (pass.equals("forward") && decoder.isEmpty()) {
                encoder.add(g);
                backwardPass.put(e.getKey(), false);
            } else if (pass.equals("backwardData") && spikes) {
                decoder.add(g);
                backwardPass.put(e.getKey(), false);
            } else {
                backwardPass.put(e.getKey(), true);
            }
        }
        List<Layer> out = new ArrayList<>();
        for (Map.Entry<String, Object[]> e : info.entrySet()) {
            Object[] v = e.getValue();
            String pass = (String) v[0];
            ConvGeometry g = (ConvGeometry) v[1];
            String operand = (String) v[2];
            long[] c = counts.get(e.getKey());
            double density = c[1] == 0 ? 0 : (double) c[0] / c[1];
            if (g == null) {
                String shape = e.getKey().substring("linear ".length(), e.getKey().lastIndexOf(' '));
                out.add(new Layer("linear", "forward", shape, operand, (DType) v[3], density, null));
                continue;
            }
            boolean transposed;
            String layerPass;
            if (!backwardPass.get(e.getKey())) {
                transposed = pass.equals("backwardData");
                layerPass = "forward";
            } else if (pass.equals("backwardWeight")) {
                transposed = operand.equals("dy") || !encoder.contains(g);
                layerPass = "weight grad";
            } else {
                transposed = pass.equals("forward");
                layerPass = "input grad";
            }
            List<ConvGeometry> list = transposed ? decoder : encoder;
            int i = list.indexOf(g);
            String name = i < 0 ? "?" : transposed
                    ? (i < decoder.size() - 2 ? "decoder." + i : "final_layer." + (i - decoder.size() + 2))
                    : "encoder." + i;
            out.add(new Layer(name, layerPass, shape(g, transposed), operand, (DType) v[3], density, g));
        }
        return out;
    }

    private static String shape(ConvGeometry g, boolean transposed) {
        return transposed
                ? String.format(Locale.ROOT, "convT %d->%d %dx%d->%dx%d", g.outChannels(), g.inChannels(), g.outH(), g.outW(),
                        g.inH(), g.inW())
                : String.format(Locale.ROOT, "conv %d->%d %dx%d->%dx%d", g.inChannels(), g.outChannels(), g.inH(), g.inW(),
                        g.outH(), g.outW());
    }

    /**
     * The forward spike-input densities of the convolutions: the encoder's in order, then the decoder's (EngineBench's
     * layer order).
     */
    public static double[] forwardSpikeDensities(List<Layer> layers) {
        List<Double> enc = new ArrayList<>();
        List<Double> dec = new ArrayList<>();
        for (Layer l : layers) {
            if (l.pass().equals("forward") && l.type() == DType.U8 && l.geometry() != null) {
                (l.name().startsWith("encoder") ? enc : dec).add(l.density());
            }
        }
        enc.addAll(dec);
        return enc.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The density of the spikes a linear layer reads (the encoder's, before the latent layer); NaN for none. */
    public static double linearSpikeDensity(List<Layer> layers) {
        for (Layer l : layers) {
            if (l.name().equals("linear") && l.type() == DType.U8) {
                return l.density();
            }
        }
        return Double.NaN;
    }

    /** The table: one row per layer and pass, the spike operands marked. */
    public static void print(List<Layer> layers, PrintStream out) {
        out.printf(Locale.ROOT, "  %-14s %-14s %-26s %-8s %-4s %9s%n", "layer", "pass", "shape", "operand", "type", "density");
        for (Layer l : layers) {
            String note = l.type() == DType.U8 ? "  spikes" : "";
            out.printf(Locale.ROOT, "  %-14s %-14s %-26s %-8s %-4s %8.2f%%%s%n", l.name(), l.pass(), l.shape(), l.operand(),
                    l.type() == DType.U8 ? "u8" : "f32", 100 * l.density(), note);
        }
    }
}
