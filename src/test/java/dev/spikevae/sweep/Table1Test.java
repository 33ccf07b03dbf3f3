package dev.spikevae.sweep;

import dev.spikevae.experiment.Specs;
import dev.spikevae.io.HostArray;
import dev.spikevae.io.Npz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code reproduce table1}: the rows it plans and skips, and a quick reproduction written as the table. */
class Table1Test {

    @Test
    void rowsWithoutDataOrSpecAreSkippedWithTheReason() {
        Table1.Planned p = Table1.plan(List.of("fashion-mnist", "cifar10"), Table1.MODELS, true, List.of(),
                (dataset, spec) -> dataset.equals("cifar10") ? "cifar10: cifar-10-batches-bin/ not found" : null);
        List<String> planned = p.plan().runs().stream().map(SweepPlan.Run::name).toList();
        for (String m : Table1.MODELS) {
            boolean spec = Specs.isBuiltin(m + "/fashion-mnist");
            assertEquals(spec, planned.contains("fashion-mnist_" + m), m);
            assertEquals(spec ? null : "no built-in spec " + m + "/fashion-mnist", p.skipped().get("fashion-mnist_" + m));
            if (Specs.isBuiltin(m + "/cifar10")) {
                assertEquals("data missing: cifar10: cifar-10-batches-bin/ not found", p.skipped().get("cifar10_" + m));
            }
        }
        assertTrue(planned.contains("fashion-mnist_esvae"), planned.toString());
        SweepPlan.Run esvae = p.plan().run("fashion-mnist_esvae");
        assertEquals(1, esvae.spec().train().epochs(), "the quick schedule");
        assertEquals(4096, esvae.spec().data().trainLimit());
        assertEquals(32, esvae.spec().train().batchSize());
        assertEquals("esvae", esvae.overrides().get("model.type"));
        assertEquals(Specs.builtin("esvae/fashion-mnist").train().epochs(), Table1.plan(List.of("fashion-mnist"),
                List.of("esvae"), false, List.of(), (d, s) -> null).plan().runs().get(0).spec().train().epochs(),
                "the full schedule is the spec's");
    }

    @Test
    void unknownNamesAndNothingToRunAreErrors() {
        SweepException e = assertThrows(SweepException.class,
                () -> Table1.plan(List.of("imagenet"), Table1.MODELS, true, List.of(), (d, s) -> null));
        assertTrue(e.getMessage().contains("--datasets: unknown dataset 'imagenet'"), e.getMessage());
        e = assertThrows(SweepException.class,
                () -> Table1.plan(List.of("mnist"), List.of("vq-vae"), true, List.of(), (d, s) -> null));
        assertTrue(e.getMessage().contains("--models: unknown model 'vq-vae'"), e.getMessage());
        e = assertThrows(SweepException.class,
                () -> Table1.plan(List.of("mnist"), List.of("esvae"), true, List.of(), (d, s) -> "mnist: not found"));
        assertTrue(e.getMessage().contains("nothing to run: mnist_esvae: data missing: mnist: not found"), e.getMessage());
    }

    @Test
    void aQuickReproductionWritesTheTableBesideThePapers(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        writeFashionMnist(data.resolve("fashion-mnist"), 64, 32);
        List<String> args = new ArrayList<>(List.of("reproduce", "table1", "--quick", "--datasets", "fashion-mnist,cifar10",
                "--models", "esvae", "--device", "cpu", "--output", tmp.resolve("runs").toString(), "--results",
                tmp.resolve("results").toString(), "--data-root", data.toString(), "--fad-batches", "2"));
        // tiny rows: the quick schedule's limits overridden
        args.addAll(List.of("data.train_limit=32", "data.test_limit=16", "train.batch_size=16", "data.test_batch_size=16",
                "model.timesteps=2", "train.sample_count=8"));
        SweepExecutorsTest.Run r = SweepExecutorsTest.cli(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("skipped cifar10_esvae: data missing"), r.out());
        Path md = tmp.resolve("results").resolve("table1.md");
        String table = Files.readString(md);
        assertTrue(table.contains("**Quick schedule**"), table);
        String row = table.lines().filter(l -> l.startsWith("| fashion-mnist | esvae | completed |")).findFirst()
                .orElseThrow(() -> new AssertionError(table));
        String[] cells = row.split(" \\| ");
        // | dataset | model | state | recon paper | ours | Δ | IS paper | ours | Δ | ...
        assertEquals("0.01900", cells[3]);
        double ours = Double.parseDouble(cells[4]);
        assertTrue(ours > 0 && ours < 4, "test MSE of images in [-1, 1]: " + ours);
        assertEquals(String.format(java.util.Locale.ROOT, "%+.3g", ours - 0.019), cells[5]);
        assertEquals("6.227", cells[6]);
        assertTrue(cells[7].startsWith("not measured: weights missing: give --is-model"), cells[7]);
        assertTrue(cells[10].startsWith("not measured: weights missing: give --fid-model and --fid-stats"), cells[10]);
        assertEquals("11.13", cells[12]);
        double fad = Double.parseDouble(cells[13]);
        assertTrue(fad > 0 && Double.isFinite(fad), "FAD of the samples: " + fad);
        String metrics = Files.readString(tmp.resolve("runs").resolve("table1-quick").resolve("runs")
                .resolve("fashion-mnist_esvae").resolve("table1-metrics.json"));
        assertTrue(metrics.contains("\"fad_images\" : 256"), metrics);
        assertTrue(row.contains("`spikevae train --spec esvae/fashion-mnist train.epochs=1 "), row);
        String cifar = table.lines().filter(l -> l.startsWith("| cifar10 | esvae |")).findFirst().orElseThrow();
        assertTrue(cifar.contains("not run: data missing"), cifar);
        assertTrue(cifar.contains("| 0.04500 |"), cifar);
        List<String> csv = Files.readAllLines(tmp.resolve("results").resolve("table1.csv"));
        assertEquals("dataset,model,state,recon_paper,recon_ours,recon_delta,is_paper,is_ours,is_delta,fid_paper,"
                + "fid_ours,fid_delta,fad_paper,fad_ours,fad_delta,command,run_folder", csv.get(0));
        assertEquals(3, csv.size(), "header, fashion-mnist and cifar10 rows");
        assertTrue(csv.get(1).startsWith("fashion-mnist,esvae,completed,0.01900,"), csv.get(1));

        // a second start skips the finished row, and report rewrites the same table
        Files.delete(md);
        SweepExecutorsTest.Run again = SweepExecutorsTest.cli(args.toArray(String[]::new));
        assertEquals(0, again.code(), again.err());
        assertFalse(again.out().contains("[sweep] run 1/1"), again.out());
        assertEquals(table, Files.readString(md));
        Files.delete(md);
        SweepExecutorsTest.Run report = SweepExecutorsTest.cli("report", tmp.resolve("runs").resolve("table1-quick")
                .toString(), "--results", tmp.resolve("results").toString());
        assertEquals(0, report.code(), report.err());
        assertEquals(table, Files.readString(md));
        // FID with a feature network and statistics given: the finished row is measured again, nothing retrains
        Path stats = tmp.resolve("fid-stats");
        Files.createDirectories(stats);
        int features = 16; // the test network's feature size
        float[] identity = new float[features * features];
        for (int i = 0; i < features; i++) {
            identity[i * features + i] = 1f;
        }
        Npz.write(stats.resolve("fashion_test_clean_custom_na.npz"), Map.of(
                "mu", HostArray.of(new float[features], features), "sigma", HostArray.of(identity, features, features)));
        List<String> withFid = new ArrayList<>(args);
        withFid.addAll(2, List.of("--fid-model", resource("/dev/spikevae/metrics/tiny_fid_features.onnx").toString(),
                "--fid-stats", stats.toString(), "--fid-samples", "8"));
        SweepExecutorsTest.Run fid = SweepExecutorsTest.cli(withFid.toArray(String[]::new));
        assertEquals(0, fid.code(), fid.out() + fid.err());
        assertFalse(fid.out().contains("[sweep] run 1/1"), fid.out());
        String fidRow = Files.readString(md).lines().filter(l -> l.startsWith("| fashion-mnist | esvae | completed |"))
                .findFirst().orElseThrow();
        double fidOurs = Double.parseDouble(fidRow.split(" \\| ")[10]);
        assertTrue(fidOurs > 0 && Double.isFinite(fidOurs), "FID of 8 samples against N(0, I): " + fidOurs);
        assertTrue(Files.readString(tmp.resolve("runs").resolve("table1-quick").resolve("runs")
                .resolve("fashion-mnist_esvae").resolve("table1-metrics.json")).contains("\"fid_images\" : 8"));
        SweepExecutorsTest.Run mismatched = SweepExecutorsTest.cli("reproduce", "table1", "--quick", "--fid-model",
                "x.onnx", "--output", tmp.resolve("runs").toString());
        assertEquals(1, mismatched.code());
        assertTrue(mismatched.err().contains("--fid-model and --fid-stats go together"), mismatched.err());
    }

    private static Path resource(String name) throws Exception {
        return Path.of(Table1Test.class.getResource(name).toURI());
    }

    /** Random Fashion-MNIST-shaped IDX files (28×28 images, labels 0–9). */
    static void writeFashionMnist(Path folder, int train, int test) throws IOException {
        Files.createDirectories(folder);
        Random rnd = new Random(7);
        for (String prefix : new String[] {"train", "t10k"}) {
            int n = prefix.equals("train") ? train : test;
            try (OutputStream f = Files.newOutputStream(folder.resolve(prefix + "-images-idx3-ubyte"));
                 DataOutputStream o = new DataOutputStream(f)) {
                o.writeInt(2051);
                o.writeInt(n);
                o.writeInt(28);
                o.writeInt(28);
                byte[] px = new byte[n * 28 * 28];
                rnd.nextBytes(px);
                o.write(px);
            }
            try (OutputStream f = Files.newOutputStream(folder.resolve(prefix + "-labels-idx1-ubyte"));
                 DataOutputStream o = new DataOutputStream(f)) {
                o.writeInt(2049);
                o.writeInt(n);
                for (int i = 0; i < n; i++) {
                    o.writeByte(i % 10);
                }
            }
        }
    }
}
