// Full-precision driver over the official SemEval-2010 Task 14 scorer classes (fscore.jar / vmeasure.jar).
// The jars print per-word values and the total V-measure rounded to 3 decimals (DecimalFormat "#.###");
// this driver repeats their main loops (execution.VMeasure.calculateClassificationFScore / calulateVMeasure)
// line for line but prints every number in full, so the TypeScript port can be checked to 1e-4 and better.
// Usage: java -cp fscore.jar:. Semeval2010Full <system.key> <gold.key> <n|v|all>
import engine.VMeasureCalculation;
import java.util.HashSet;
import java.util.Vector;
import model.Word;
import util.FileIO;

public class Semeval2010Full {
  @SuppressWarnings("unchecked")
  public static void main(String[] args) throws Exception {
    String sys = args[0], gold = args[1], pos = args[2];
    StringBuilder out = new StringBuilder("{\"fscore\":{\"words\":{");
    // --- paired F-score, as calculateClassificationFScore ---
    FileIO io = new FileIO();
    Vector<Word> words = io.readSenseInductionKey(gold, pos);
    Vector<Word> order = (Vector<Word>) words.clone();
    words = io.readClusteringSolutionKey(sys, words, pos);
    double total = 0;
    int clusters = 0;
    for (int i = 0; i < order.size(); i++) {
      Word w = order.get(i);
      HashSet<String> cl = w.generateClusterInstancePairs();
      HashSet<String> gs = w.generateClassInstancePairs();
      HashSet<String> inter = (HashSet<String>) gs.clone();
      inter.retainAll(cl);
      double p = inter.size() / (double) cl.size();
      double r = inter.size() / (double) gs.size();
      double f = 2.0 * p * r / (p + r);
      int n = io.getTotalInstances(words);
      if (Double.isNaN(f)) f = 0;
      clusters += w.getClusters().size();
      total += f * (w.getTotalInstancesByClass() / (double) n);
      out.append(i > 0 ? "," : "").append('"').append(w.getName()).append("\":[")
          .append(f).append(',').append(p).append(',').append(r).append(']');
    }
    out.append("},\"total\":").append(total).append(",\"clusters\":").append(clusters / (double) order.size())
        .append("},\"vmeasure\":{\"words\":{");
    // --- V-measure, as calulateVMeasure ---
    io = new FileIO();
    words = io.readSenseInductionKey(gold, pos);
    order = (Vector<Word>) words.clone();
    words = io.readClusteringSolutionKey(sys, words, pos);
    total = 0;
    for (int i = 0; i < order.size(); i++) {
      Word w = order.get(i);
      VMeasureCalculation vm = new VMeasureCalculation(new Vector<>(w.getClasses().values()),
          new Vector<>(w.getClusters().values()), w.getTotalInstancesByClass());
      double v = vm.calculateVM();
      double h = vm.getHomogeneity(), c = vm.getCompleteness();
      if (Double.isNaN(v)) v = 0;
      int n = io.getTotalInstances(words);
      total += v * (w.getTotalInstancesByClass() / (double) n);
      out.append(i > 0 ? "," : "").append('"').append(w.getName()).append("\":[")
          .append(v).append(',').append(num(h)).append(',').append(num(c)).append(']');
    }
    out.append("},\"total\":").append(total).append("}}");
    System.out.println(out);
  }

  static String num(double d) {
    return Double.isNaN(d) ? "null" : Double.toString(d);
  }
}
