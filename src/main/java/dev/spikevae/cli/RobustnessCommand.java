package dev.spikevae.cli;

import dev.spikevae.data.Datasets;
import dev.spikevae.data.ImageDataset;
import dev.spikevae.data.Split;
import dev.spikevae.experiment.ExperimentSpec;
import dev.spikevae.experiment.RobustnessExperiment;
import dev.spikevae.experiment.Specs;
import dev.spikevae.model.GenerativeModel;
import dev.spikevae.tensor.Backend;
import dev.spikevae.tensor.Backends;
import dev.spikevae.train.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code spikevae robustness}: reconstructions from time-shuffled and bit-flipped latent spikes. */
@Command(name = "robustness", mixinStandardHelpOptions = true,
        description = {"The latent robustness experiment of the paper's noise figure, reconstructed from the figure (the "
                + "paper's text for it is unavailable): each model's latent spike trains are shuffled in time (one "
                + "random permutation of the T steps per image) and flipped bit by bit with probability a; every "
                + "disturbed latent is decoded.",
                "Writes, per checkpoint, NAME-grid.png (rows: input, reconstruction, time-shuffled, then a = 0.05 ... "
                        + "0.30) and, for all, robustness.csv and robustness.png (MSE against a)."})
public final class RobustnessCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, paramLabel = "CK", description = "A checkpoint or run folder; "
            + "repeat to compare models (e.g. ESVAE and FSVAE).")
    List<Path> checkpoints = new ArrayList<>();

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Folder for the grids, CSV and plot.")
    Path output;

    @Option(names = "--dataset", description = "Dataset (default: the first checkpoint's spec).")
    String dataset;

    @Option(names = "--data-root", paramLabel = "DIR", description = "Data root (default: the spec's, $SPIKEVAE_DATA).")
    Path dataRoot;

    @Option(names = "--images", description = "Test images the MSE is measured on (default: ${DEFAULT-VALUE}).",
            defaultValue = "256")
    int images;

    @Option(names = "--shown", description = "Images in each grid (default: ${DEFAULT-VALUE}, as the paper's figure).",
            defaultValue = "8")
    int shown;

    @Option(names = "--levels", split = ",", description = "Flip probabilities (default: 0.05,0.10,...,0.30).")
    List<Double> levels;

    @Option(names = "--seed", description = "Seed of the sampling and disturbance streams (default: ${DEFAULT-VALUE}).",
            defaultValue = "42")
    long seed;

    @Option(names = "--device", description = "auto, cpu or cuda (default: $SPIKEVAE_DEVICE or auto).")
    String device;

    @Override
    public Integer call() throws Exception {
        Checks.atLeast("--images", images, 1);
        Checks.atLeast("--shown", shown, 1);
        if (levels != null) {
            for (Double level : levels) {
                Checks.probability("--levels", level);
            }
        }
        String chosenDevice = Checks.device(device);
        List<Double> lv = levels == null ? RobustnessExperiment.LEVELS : levels;
        for (double a : lv) {
            if (!(a >= 0 && a <= 1)) {
                throw new IllegalArgumentException("--levels: flip probabilities are in [0, 1], got " + a);
            }
        }
        Backend be = Backends.select(chosenDevice, Main.backendOptions());
        Files.createDirectories(output);
        List<RobustnessExperiment.Curve> curves = new ArrayList<>();
        ImageDataset data = null;
        for (int i = 0; i < checkpoints.size(); i++) {
            Checkpoint.Loaded ck = Checkpoint.load(checkpoints.get(i));
            if (data == null) {
                data = dataset(ck);
            }
            String label = (i + 1) + "-" + ck.config().type();
            try (GenerativeModel model = ck.createModel(be)) {
                RobustnessExperiment.Curve c = RobustnessExperiment.run(model, label, data, images, shown, lv, seed,
                        output.resolve(label + "-grid.png"));
                curves.add(c);
                System.out.printf(Locale.ROOT, "%s (%s): reconstruction mse %.5f, time-shuffled %.5f, flips %s%n", label,
                        checkpoints.get(i), c.reconstruction(), c.shuffled(), c.flipped());
            }
        }
        RobustnessExperiment.writeCurves(output, curves);
        System.out.println("wrote " + output.resolve("robustness.csv") + ", " + output.resolve("robustness.png")
                + " and the grids in " + output);
        return 0;
    }

    private ImageDataset dataset(Checkpoint.Loaded ck) {
        ExperimentSpec spec = ck.spec() == null ? null : Specs.fromYaml(ck.spec(), ck.weightsFile() + " (spec)");
        String name = dataset != null ? dataset : spec == null ? null : spec.data().dataset();
        if (name == null) {
            throw new IllegalArgumentException("--dataset is needed: " + ck.weightsFile() + " does not say its dataset");
        }
        Path root = dataRoot != null ? dataRoot : spec != null && spec.data().root() != null ? Path.of(spec.data().root()) : null;
        return Datasets.open(name, root, Split.TEST);
    }
}
