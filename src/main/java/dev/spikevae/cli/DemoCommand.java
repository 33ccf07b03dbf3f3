package dev.spikevae.cli;

import dev.spikevae.experiment.ExperimentRunner;
import dev.spikevae.experiment.ExperimentSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code spikevae demo}: ESVAE on the embedded digits, a few minutes on two cores. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Train ESVAE on the embedded digits (OpenCV's digits.png, 4,500 train / 500 test, no download) "
                + "with the built-in 'digits' spec, then print where the reconstructions, samples, loss curve and "
                + "summary are. A few minutes on 2 cores.",
                "Overrides work as for train, e.g.: spikevae demo train.epochs=1"})
public final class DemoCommand implements Callable<Integer> {
    @Mixin
    RunOptions run;

    @Override
    public Integer call() throws Exception {
        List<String> all = run.all();
        ExperimentSpec spec = SpecArgs.resolve("digits", all);
        ExperimentRunner.Result r = ExperimentRunner.train(spec, Main.backendOptions(), SpecArgs.commandLine("demo"), System.out);
        if (r.test() != null) {
            System.out.printf(Locale.ROOT, "demo finished: test MSE %.4f after %d epoch(s) (untrained: %.4f). Look at the "
                    + "reconstructions and samples above (PNG).%n", r.test().mse(), r.epochs(), r.untrainedTestMse());
        }
        return 0;
    }
}
