package io.deeppipe.models.train;

import io.deeppipe.transforms.card.ModelCard;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;

/** The training curves as a PNG: train loss and validation accuracy per epoch. */
public final class Plots {
  private Plots() {}

  public static void trainingCurves(List<ModelCard.Epoch> epochs, String title, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    double[] x = epochs.stream().mapToDouble(ModelCard.Epoch::epoch).toArray();
    double[] loss = epochs.stream().mapToDouble(ModelCard.Epoch::trainLoss).toArray();
    double[] acc = epochs.stream().mapToDouble(e -> Double.isNaN(e.validationAccuracy()) ? 0 : e.validationAccuracy()).toArray();
    XYChart chart = new XYChartBuilder().width(800).height(450).title(title).xAxisTitle("epoch").build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
    XYSeries lossSeries = chart.addSeries("train loss", x, loss);
    lossSeries.setYAxisGroup(0);
    XYSeries accSeries = chart.addSeries("validation accuracy", x, acc);
    accSeries.setYAxisGroup(1);
    chart.setYAxisGroupTitle(0, "loss");
    chart.setYAxisGroupTitle(1, "accuracy");
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}
