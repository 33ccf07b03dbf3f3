package dev.spikevae.cli;

import dev.spikevae.experiment.ExperimentRunner;
import dev.spikevae.experiment.ExperimentSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
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
    @Option(names = "--device", description = "auto, cpu or cuda (default: $SPIKEVAE_DEVICE or auto).")
    String device;

    @Option(names = "--output", paramLabel = "DIR", description = "Runs root folder (default: runs).")
    String output;

    @Parameters(paramLabel = "KEY=VALUE", arity = "0..*", description = "Dotted overrides of the digits spec.")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<String> all = new ArrayList<>(overrides);
        if (device != null) {
            all.add("run.device=" + device);
        }
        if (output != null) {
            all.add("run.output=" + output);
        }
        ExperimentSpec spec = SpecArgs.resolve("digits", all);
        ExperimentRunner.Result r = ExperimentRunner.train(spec, SpecArgs.commandLine("demo"), System.out);
        if (r.test() != null) {
            System.out.printf(Locale.ROOT, "demo finished: test MSE %.4f after %d epoch(s) (untrained: %.4f). Look at the "
                    + "reconstructions and samples above (PNG).%n", r.test().mse(), r.epochs(), r.untrainedTestMse());
        }
        return 0;
    }
}
