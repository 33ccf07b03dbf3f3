package dev.spikevae.metrics;

import dev.spikevae.autograd.Ops;
import dev.spikevae.autograd.Tape;
import dev.spikevae.io.FileFormatException;
import dev.spikevae.io.HostArray;
import dev.spikevae.io.Safetensors;
import dev.spikevae.nn.Activation;
import dev.spikevae.nn.BatchNorm;
import dev.spikevae.nn.Conv2d;
import dev.spikevae.nn.Linear;
import dev.spikevae.nn.Module;
import dev.spikevae.nn.Parameter;
import dev.spikevae.nn.Sequential;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.MemoryScope;
import dev.spikevae.tensor.Rng;
import dev.spikevae.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Map;

/**
 * The encoder half of the published FAD autoencoders (docs/metrics.md): {@code stages} times Conv2d 3×3 stride 2
 * padding 1 → BatchNorm2d → LeakyReLU(0.01) with 32, 64, 128, 256 (, 512) channels, then flatten and a Linear to the
 * feature size. Four stages ({@code AE}) take 32×32 images, five ({@code AELarge}) 64×64; both end at 2×2.
 *
 * <p>The module stays in training mode: as in the published evaluation, BatchNorm normalises with the statistics of
 * the batch it is given (the running statistics are neither used nor shipped), so features depend on the batch —
 * the protocol's batch is 128 images.
 */
public final class FadEncoder extends Module {
    /** The channel widths of the stages, in order. */
    static final int[] WIDTHS = {32, 64, 128, 256, 512};
    /** LeakyReLU's negative slope (PyTorch's default). */
    static final float LEAKY_SLOPE = 0.01f;

    private final Backend backend;
    private final Sequential encoder = new Sequential();
    private final Linear latent;
    private final int inChannels;
    private final int stages;
    private final int features;

    public FadEncoder(Backend backend, int inChannels, int stages, int features) {
        if (inChannels < 1 || stages < 1 || stages > WIDTHS.length || features < 1) {
            throw new IllegalArgumentException("FAD encoder: " + inChannels + " input channels, " + stages
                    + " stages (1-" + WIDTHS.length + "), " + features + " features");
        }
        this.backend = backend;
        this.inChannels = inChannels;
        this.stages = stages;
        this.features = features;
        Rng rng = new Rng(0); // replaced by the loaded weights
        int in = inChannels;
        for (int i = 0; i < stages; i++) {
            encoder.add(new Sequential(new Conv2d(backend, in, WIDTHS[i], 3, 2, 1, true, rng),
                    BatchNorm.standard(backend, WIDTHS[i]), Activation.leakyRelu(LEAKY_SLOPE)));
            in = WIDTHS[i];
        }
        addModule("encoder", encoder);
        this.latent = addModule("latent_layer", new Linear(backend, in * 4, features, true, rng));
        train(true);
    }

    /** Reads an encoder written by {@code tools/convert_fad_autoencoder.py}. */
    public static FadEncoder load(Backend backend, Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no FAD encoder weights here; convert the published "
                    + "autoencoder with: python3 tools/convert_fad_autoencoder.py IN.pth " + file);
        }
        return load(backend, Safetensors.read(file), file.toString());
    }

    /** Reads an encoder shipped as a class-path resource. */
    public static FadEncoder loadResource(Backend backend, String resource) throws IOException {
        try (InputStream in = FadEncoder.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("resource " + resource + " is not on the class path");
            }
            Path tmp = Files.createTempFile("spikevae-fad", ".safetensors");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                return load(backend, Safetensors.read(tmp), resource);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    static FadEncoder load(Backend backend, Safetensors.Loaded loaded, String source) throws IOException {
        Map<String, HostArray> w = loaded.tensors();
        HostArray first = w.get("encoder.0.0.weight");
        HostArray last = w.get("latent_layer.weight");
        if (first == null || last == null || first.rank() != 4 || last.rank() != 2) {
            throw new FileFormatException(source, "not a FAD encoder: needs encoder.0.0.weight [32, C, 3, 3] and "
                    + "latent_layer.weight [d, 4 * width]; has " + w.keySet());
        }
        int stages = 0;
        while (w.containsKey("encoder." + stages + ".0.weight")) {
            stages++;
        }
        FadEncoder enc;
        try {
            enc = new FadEncoder(backend, first.intShape()[1], stages, last.intShape()[0]);
        } catch (IllegalArgumentException e) {
            throw new FileFormatException(source, e.getMessage());
        }
        for (Map.Entry<String, Parameter> p : enc.namedParameters().entrySet()) {
            HostArray a = w.get(p.getKey());
            Tensor t = p.getValue().value();
            if (a == null) {
                throw new FileFormatException(source, "missing " + p.getKey() + " " + t.shape());
            }
            if (a.numel() != t.numel() || !Arrays.equals(a.intShape(), t.shape().dims())) {
                throw new FileFormatException(source, p.getKey() + " has shape " + Arrays.toString(a.shape())
                        + ", expected " + t.shape());
            }
            backend.copyFromHost(a.data(), 0, t);
        }
        return enc;
    }

    public int inChannels() {
        return inChannels;
    }

    /** The side of the square images the encoder takes: 2×2 after {@code stages} halvings. */
    public int imageSize() {
        return 2 << stages;
    }

    public int featureSize() {
        return features;
    }

    public Backend backend() {
        return backend;
    }

    /** {@code [N, C, S, S]} images in [-1, 1] to {@code [N, d]} features, normalised with this batch's statistics. */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != inChannels || x.dim(2) != imageSize() || x.dim(3) != imageSize()) {
            throw new IllegalArgumentException("the FAD encoder takes images [N, " + inChannels + ", " + imageSize() + ", "
                    + imageSize() + "], got " + x.shape());
        }
        Tensor h = encoder.forward(x);
        return latent.forward(Ops.reshape(h, x.dim(0), h.numel() / x.dim(0)));
    }

    /** The features of one batch (its own BatchNorm statistics), on the host, without recording gradients. */
    public float[] features(Tensor batch) {
        try (Tape.NoGrad ng = Tape.noGrad(); MemoryScope scope = MemoryScope.open()) {
            return forward(batch).toHost();
        }
    }
}
