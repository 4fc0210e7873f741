package dev.adnet.compiler.cli;

import dev.adnet.compiler.cost.CostModel;
import dev.adnet.compiler.cost.TreeCost;
import dev.adnet.compiler.ir.TreeNodes;
import dev.adnet.runtime.branch.ParentMixture;
import dev.adnet.runtime.branch.TreePaths;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The learned trees of a network ({@code branch tree}), as {@code adnet eval} reports them ({@code tree.txt/csv/png}):
 * each node's argmax parent with the probabilities of its parents (the softmax of its parent logits at temperature
 * 1), each task's path, and the nodes inference computes for all tasks (those on a path, each once).
 */
final class TreeReport {
    private final List<Tree> trees;

    /** One tree: its tasks, its layers, and {@code logits[layer - 2][task]}, node (layer, task)'s parent logits. */
    private record Tree(String branch, List<String> tasks, int layers, INDArray[][] logits) {
        int parent(int layer, int t) {
            return ParentMixture.argmax(logits[layer - 2][t]);
        }

        double[] probabilities(int layer, int t) {
            return ParentMixture.weights(logits[layer - 2][t], tasks.size(), 1.0, 0, false);
        }

        boolean[][] used() {
            boolean[] all = new boolean[tasks.size()];
            java.util.Arrays.fill(all, true);
            return TreePaths.needed(logits, all);
        }

        /** Node names: {@code l<layer>.<task>}. */
        String node(int layer, int t) {
            return "l" + layer + "." + tasks.get(t);
        }
    }

    private TreeReport(List<Tree> trees) {
        this.trees = trees;
    }

    /** The trees of a network (from its cost table) with their parent logits from {@code params} (by name); null when it has none. */
    static TreeReport of(CostModel.Report cost, Function<String, INDArray> params) {
        List<Tree> trees = new ArrayList<>();
        for (TreeCost t : TreeCost.of(cost)) {
            int layers = t.nodeFlops().length;
            INDArray[][] logits = new INDArray[layers - 1][t.tasks().size()];
            for (int l = 2; l <= layers; l++) {
                for (int k = 0; k < t.tasks().size(); k++) {
                    logits[l - 2][k] = params.apply(TreeNodes.logits(TreeNodes.node(t.branch(), l, t.tasks().get(k))));
                }
            }
            trees.add(new Tree(t.branch(), t.tasks(), layers, logits));
        }
        return trees.isEmpty() ? null : new TreeReport(trees);
    }

    String text() {
        StringBuilder sb = new StringBuilder();
        for (Tree tree : trees) {
            int n = tree.tasks().size();
            sb.append(String.format(Locale.ROOT, "tree %s (%d layers, %d tasks): each node's argmax parent, with the "
                    + "probabilities of its parents (softmax of its parent logits)%n", tree.branch(), tree.layers(), n));
            boolean[][] used = tree.used();
            for (int l = 2; l <= tree.layers(); l++) {
                sb.append(String.format(Locale.ROOT, "  layer %d%n", l));
                for (int t = 0; t < n; t++) {
                    double[] p = tree.probabilities(l, t);
                    List<String> parents = new ArrayList<>();
                    for (int k = 0; k < n; k++) {
                        parents.add(String.format(Locale.ROOT, "%s %.2f", tree.node(l - 1, k), p[k]));
                    }
                    sb.append(String.format(Locale.ROOT, "    %s <- %s  (%s)%s%n", tree.node(l, t), tree.node(l - 1, tree.parent(l, t)),
                            String.join(", ", parents), used[l - 1][t] ? "" : "  on no path"));
                }
            }
            sb.append("  paths (the argmax tree):\n");
            for (int t = 0; t < n; t++) {
                List<String> path = new ArrayList<>();
                int k = t;
                for (int l = tree.layers(); l >= 1; l--) {
                    path.add(0, tree.node(l, k));
                    k = l > 1 ? tree.parent(l, k) : k;
                }
                sb.append(String.format(Locale.ROOT, "    %s: input -> %s%n", tree.tasks().get(t), String.join(" -> ", path)));
            }
            int kept = 0;
            for (boolean[] layer : used) {
                for (boolean u : layer) {
                    kept += u ? 1 : 0;
                }
            }
            sb.append(String.format(Locale.ROOT, "  nodes computed for all tasks: %d of %d (a node on several paths once)%n",
                    kept, tree.layers() * n));
        }
        return sb.toString();
    }

    String csv() {
        StringBuilder sb = new StringBuilder("tree,layer,node,parent,probability,argmax,on_a_path\n");
        for (Tree tree : trees) {
            boolean[][] used = tree.used();
            for (int l = 2; l <= tree.layers(); l++) {
                for (int t = 0; t < tree.tasks().size(); t++) {
                    double[] p = tree.probabilities(l, t);
                    for (int k = 0; k < p.length; k++) {
                        sb.append(String.format(Locale.ROOT, "%s,%d,%s,%s,%.6f,%b,%b%n", tree.branch(), l, tree.tasks().get(t),
                                tree.tasks().get(k), p[k], k == tree.parent(l, t), used[l - 1][t]));
                    }
                }
            }
        }
        return sb.toString();
    }

    /** Writes tree.txt, tree.csv and tree.png into {@code dir}; returns the files written. */
    List<Path> write(Path dir) throws IOException {
        return ReportFiles.write(dir, "tree", text(), csv(), chart());
    }

    /**
     * Each tree as columns of nodes (a layer per column, a task's node per row), every node joined to its argmax
     * parent with that parent's probability; the nodes on a path dark, the others light.
     */
    BufferedImage chart() {
        int colW = 150;
        int rowH = 56;
        int maxLayers = trees.stream().mapToInt(Tree::layers).max().orElse(1);
        int width = 40 + (maxLayers + 1) * colW + 120;
        int height = 20 + trees.stream().mapToInt(t -> 40 + t.tasks().size() * rowH).sum();
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        int top = 10;
        for (Tree tree : trees) {
            int n = tree.tasks().size();
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            g.drawString("tree " + tree.branch() + ": argmax parents with their probabilities; dark nodes on a task's path", 10,
                    top + 14);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            int y0 = top + 40;
            boolean[][] used = tree.used();
            int inputX = 30;
            int inputY = y0 + (n * rowH) / 2 - rowH / 2;
            g.drawString("input", inputX, inputY + 18);
            for (int l = 1; l <= tree.layers(); l++) {
                for (int t = 0; t < n; t++) {
                    int x = 30 + l * colW;
                    int y = y0 + t * rowH;
                    int px = l == 1 ? inputX + 34 : 30 + (l - 1) * colW + 100;
                    int py = l == 1 ? inputY + 14 : y0 + tree.parent(l, t) * rowH + 14;
                    g.setColor(used[l - 1][t] ? Color.DARK_GRAY : Color.LIGHT_GRAY);
                    g.setStroke(new BasicStroke(used[l - 1][t] ? 2 : 1));
                    g.drawLine(px, py, x, y + 14);
                    if (l > 1) {
                        g.drawString(String.format(Locale.ROOT, "%.2f", tree.probabilities(l, t)[tree.parent(l, t)]), x - 32, y + 10);
                    }
                    g.setColor(used[l - 1][t] ? GateReport.shade(0.9) : GateReport.shade(0.1));
                    g.fillRoundRect(x, y, 100, 28, 10, 10);
                    g.setColor(used[l - 1][t] ? Color.WHITE : Color.GRAY);
                    g.drawString(tree.node(l, t), x + 8, y + 18);
                }
            }
            g.setColor(Color.BLACK);
            for (int t = 0; t < n; t++) {
                int x = 30 + tree.layers() * colW + 100;
                int y = y0 + t * rowH + 14;
                g.drawLine(x, y, x + 20, y);
                g.drawString(tree.tasks().get(t), x + 26, y + 4);
            }
            top = y0 + n * rowH;
        }
        g.dispose();
        return img;
    }
}
