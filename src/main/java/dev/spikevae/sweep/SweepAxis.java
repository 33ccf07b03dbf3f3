package dev.spikevae.sweep;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One axis of a sweep: its points, each a set of dotted overrides with a label for run names. A {@code grid} key is
 * an axis of one key; a {@code zip} group is one axis whose points set several keys together; {@code seeds} is an
 * axis of {@code run.seed}; {@code variants} is an axis of named override sets. A sweep's runs are the cartesian
 * product of its axes.
 *
 * @param name   what the axis varies, for messages and the index ({@code model.timesteps}, {@code zip},
 *               {@code run.seed}, {@code variant})
 * @param points the points, in the order written
 */
public record SweepAxis(String name, List<Point> points) {

    /** One point of an axis: its label in run names and the overrides it applies (dotted key → override text). */
    public record Point(String label, Map<String, String> overrides) {
        public Point {
            overrides = Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
        }
    }

    public SweepAxis {
        points = List.copyOf(points);
    }
}
