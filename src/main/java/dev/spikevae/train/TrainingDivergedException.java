package dev.spikevae.train;

import java.util.Map;

/** The loss became NaN or infinite; training stopped without writing a checkpoint of the broken state. */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int epoch;
    private final long step;

    public TrainingDivergedException(int epoch, long step, int batch, Map<String, Double> values) {
        super("loss is " + values.get("loss") + " " + terms(values) + " at epoch " + epoch + ", batch " + batch
                + ", step " + step + "; training stopped");
        this.epoch = epoch;
        this.step = step;
    }

    private static String terms(Map<String, Double> values) {
        StringBuilder sb = new StringBuilder("(");
        values.forEach((k, v) -> {
            if (!k.equals("loss")) {
                sb.append(sb.length() > 1 ? ", " : "").append(k).append(' ').append(v);
            }
        });
        return sb.append(')').toString();
    }

    public int epoch() {
        return epoch;
    }

    public long step() {
        return step;
    }
}
