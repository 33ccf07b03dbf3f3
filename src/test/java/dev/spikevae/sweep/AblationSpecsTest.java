package dev.spikevae.sweep;

import dev.spikevae.experiment.Specs;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every ablation shipped in {@code experiments/ablations/} is registered, says what it asks, and plans its runs. */
class AblationSpecsTest {
    /** The number of runs each ablation must plan. */
    private static final Map<String, Integer> RUNS = Map.of("ablations/timesteps", 4, "ablations/latent", 4,
            "ablations/lambda", 5, "ablations/prior-lr-scale", 4, "ablations/surrogate", 4,
            "ablations/surrogate-width", 4, "ablations/detach-reset", 2, "ablations/sampler", 4,
            "ablations/mmd-kernel", 2, "ablations/prior-noise", 6);

    @Test
    void everyFileIsRegisteredAndPlansItsRuns() throws IOException {
        Set<String> files;
        try (Stream<Path> s = Files.list(Path.of("experiments", "ablations"))) {
            files = s.map(p -> "ablations/" + p.getFileName().toString().replaceFirst("\\.yaml$", ""))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(files, new TreeSet<>(Specs.builtinSweepNames()), "experiments/ablations/ and the registry agree");
        assertEquals(files, new TreeSet<>(RUNS.keySet()), "this test knows every ablation");
        for (String name : Specs.builtinSweepNames()) {
            String text = Files.readString(Path.of("experiments", name + ".yaml"));
            assertTrue(text.startsWith("# Question:"), name + " says what question it answers");
            SweepPlan plan = Sweeps.plan(Specs.builtinWithSweep(name), List.of("train.epochs=1"));
            assertEquals(RUNS.get(name), plan.runs().size(), name);
            assertEquals(plan.runs().size(), plan.runs().stream().map(SweepPlan.Run::name).distinct().count(),
                    name + ": run names are distinct");
            assertTrue(plan.runs().stream().allMatch(r -> r.spec().train().epochs() == 1), name);
        }
    }

    @Test
    void aSettingChangesWhatItNames() {
        SweepPlan plan = Sweeps.plan(Specs.builtinWithSweep("ablations/sampler"), List.of());
        assertEquals(List.of("poisson", "poisson_detached", "fsvae", "spiking-ae"),
                plan.runs().stream().map(SweepPlan.Run::name).toList());
        assertEquals("poisson_detached", plan.runs().get(1).spec().model()
                .settings(dev.spikevae.model.EsvaeSettings.class).sampler().kind());
        assertEquals(List.of("esvae", "esvae", "fsvae", "spiking-ae"),
                plan.runs().stream().map(r -> r.spec().model().type()).toList());
        assertEquals(plan.runs().get(0).spec().train(), plan.runs().get(2).spec().train(), "the same schedule");
    }
}
