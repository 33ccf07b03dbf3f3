package dev.spikevae.sweep;

import dev.spikevae.data.DatasetException;
import dev.spikevae.data.Datasets;
import dev.spikevae.data.Split;
import dev.spikevae.experiment.ExperimentSpec;
import dev.spikevae.experiment.Specs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The paper's Table I (docs/reference.md §7.1) as a family of runs: the ESVAE, FSVAE and ANN VAE rows of every
 * dataset, each the built-in spec {@code <model>/<dataset>}, planned as a sweep whose runs are named
 * {@code <dataset>_<model>}. Rows whose data or spec is missing are skipped with the reason.
 */
public final class Table1 {
    /** The datasets of the table, in its order. */
    public static final List<String> DATASETS = List.of("mnist", "fashion-mnist", "cifar10", "celeba");
    /** The models reproduced, in the table's order (ANN, FSVAE, ESVAE), by their built-in spec folder. */
    public static final List<String> MODELS = List.of("ann-vae", "fsvae", "esvae");

    /**
     * The short schedule of {@code --quick}: one epoch over the first 4,096 training images at batch 32 (128 steps,
     * the baselines' learning-quality protocol, docs/benchmarks.md) and the first 1,024 test images; FSVAE's step is
     * the slow one (its autoregressive prefix passes), which sets the length.
     */
    public static final List<String> QUICK = List.of("train.epochs=1", "data.train_limit=4096", "train.batch_size=32",
            "data.test_limit=1024", "data.test_batch_size=64");

    /** A row's figures: reconstruction loss, Inception Score, FID and FAD (null: not reported). */
    public record Figures(Double recon, Double is, Double fid, Double fad) {
    }

    /** The paper's numbers for the reproduced rows (docs/reference.md §7.1). */
    public static final Map<String, Figures> PAPER = paper();

    private static Map<String, Figures> paper() {
        Map<String, Figures> m = new LinkedHashMap<>();
        m.put("mnist_ann-vae", new Figures(0.048, 5.947, 112.5, 17.09));
        m.put("mnist_fsvae", new Figures(0.031, 6.209, 97.06, 35.54));
        m.put("mnist_esvae", new Figures(0.013, 5.612, 117.8, 10.99));
        m.put("fashion-mnist_ann-vae", new Figures(0.050, 4.252, 123.7, 18.08));
        m.put("fashion-mnist_fsvae", new Figures(0.031, 4.551, 90.12, 15.75));
        m.put("fashion-mnist_esvae", new Figures(0.019, 6.227, 125.3, 11.13));
        m.put("cifar10_ann-vae", new Figures(0.105, 2.591, 229.6, 196.9));
        m.put("cifar10_fsvae", new Figures(0.066, 2.945, 175.5, 133.9));
        m.put("cifar10_esvae", new Figures(0.045, 3.758, 127.0, 14.74));
        m.put("celeba_ann-vae", new Figures(0.059, 3.231, 92.53, 156.9));
        m.put("celeba_fsvae", new Figures(0.051, 3.697, 101.6, 112.9));
        m.put("celeba_esvae", new Figures(0.034, 3.868, 85.33, 51.93));
        return m;
    }

    /** Whether a dataset can be read: null when it can, else why not. */
    @FunctionalInterface
    public interface DataCheck {
        String missing(String dataset, ExperimentSpec spec);

        /** Opens the test split where the spec's {@code data.root} (or the default places) says. */
        DataCheck FILES = (dataset, spec) -> {
            try {
                String root = spec.data().root();
                Datasets.open(dataset, root == null ? null : Path.of(root), Split.TEST);
                return null;
            } catch (DatasetException e) {
                return e.getMessage();
            }
        };
    }

    /** The planned runs and the rows left out, each with its reason. */
    public record Planned(SweepPlan plan, Map<String, String> skipped, List<String> datasets, List<String> models,
                          boolean quick, List<String> overrides) {
    }

    private Table1() {
    }

    /** The row name of a dataset and a model. */
    public static String row(String dataset, String model) {
        return dataset + "_" + model;
    }

    /**
     * Plans the rows of {@code datasets} × {@code models}: each row's spec is the built-in {@code model/dataset} with
     * the quick schedule (when asked) and then {@code overrides} applied.
     */
    public static Planned plan(List<String> datasets, List<String> models, boolean quick, List<String> overrides,
                               DataCheck data) {
        for (String d : datasets) {
            if (!DATASETS.contains(d)) {
                throw new SweepException("--datasets: unknown dataset '" + d + "'; Table I has " + String.join(", ", DATASETS));
            }
        }
        for (String m : models) {
            if (!MODELS.contains(m)) {
                throw new SweepException("--models: unknown model '" + m + "'; Table I reproduces " + String.join(", ", MODELS));
            }
        }
        List<String> all = new ArrayList<>(quick ? QUICK : List.of());
        all.addAll(overrides);
        Map<String, String> skipped = new LinkedHashMap<>();
        List<SweepAxis.Point> points = new ArrayList<>();
        List<SweepPlan.Run> runs = new ArrayList<>();
        for (String d : DATASETS) {
            if (!datasets.contains(d)) {
                continue;
            }
            String dataMissing = null;
            for (String m : MODELS) {
                if (!models.contains(m)) {
                    continue;
                }
                String name = row(d, m);
                String builtin = m + "/" + d;
                if (!Specs.isBuiltin(builtin)) {
                    skipped.put(name, "no built-in spec " + builtin);
                    continue;
                }
                ExperimentSpec spec;
                try {
                    spec = Specs.override(Specs.builtin(builtin), all);
                } catch (IllegalArgumentException e) {
                    throw new SweepException(builtin + ": " + e.getMessage(), e);
                }
                if (dataMissing == null) {
                    dataMissing = data.missing(d, spec);
                    dataMissing = dataMissing == null ? "" : dataMissing;
                }
                if (!dataMissing.isEmpty()) {
                    skipped.put(name, "data missing: " + dataMissing);
                    continue;
                }
                Map<String, String> o = new LinkedHashMap<>();
                o.put("data.dataset", d);
                o.put("model.type", spec.model().type());
                points.add(new SweepAxis.Point(name, o));
                runs.add(new SweepPlan.Run(runs.size(), name, o, spec));
            }
        }
        if (runs.isEmpty()) {
            throw new SweepException("nothing to run: " + (skipped.isEmpty() ? "no rows selected"
                    : String.join("; ", skipped.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).toList())));
        }
        SweepDefinition def = new SweepDefinition(List.of(new SweepAxis("row", points)), ExecutorSettings.LOCAL);
        return new Planned(SweepPlan.of(runs.get(0).spec(), def, runs), skipped, List.copyOf(datasets),
                List.copyOf(models), quick, List.copyOf(overrides));
    }
}
