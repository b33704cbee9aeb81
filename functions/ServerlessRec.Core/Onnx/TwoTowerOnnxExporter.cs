using ServerlessRec.Training;
using static ServerlessRec.Onnx.OnnxGraphBuilder;
using DataType = Onnx.TensorProto.Types.DataType;

namespace ServerlessRec.Onnx;

/// <summary>
/// Writes the two towers of a <see cref="TwoTowerModel"/> as two ONNX models that compute exactly the
/// trainer's forward pass (design.md, "ONNX").
/// </summary>
/// <remarks>
/// User tower inputs: <c>history_item_idx</c> int64 [batch, L], <c>history_weight</c> float [batch, L]
/// (long-term pool) and <c>session_weight</c> float [batch, L] (short-term pool); output
/// <c>user_vector</c> float [batch, D]. Item tower inputs: <c>item_idx</c> int64 [batch] and
/// <c>feature_idx</c> int64 [batch, F]; output <c>item_vector</c> float [batch, D]. Index 0 is padding:
/// its row is zero and its weight does not count.
/// </remarks>
public static class TwoTowerOnnxExporter
{
    /// <summary>The producer name written into the models.</summary>
    public const string Producer = "ServerlessRec";

    /// <summary>Writes the user tower.</summary>
    public static byte[] ExportUserTower(TwoTowerModel model) => ExportUserTower(model, withTable: true);

    /// <summary>
    /// Writes the user tower without its history embedding table (<c>user_head.onnx</c>): the same graph from the pooled
    /// rows on, with the gathered rows as the input <c>history_rows</c> float [batch, L, D] (row 0 = padding, zeros).
    /// Serving in AI Search mode gathers the rows from <c>history_embeddings.f32</c> on disk, so the table (items × D
    /// floats, 256 MB at a million items) never enters the process.
    /// </summary>
    public static byte[] ExportUserHead(TwoTowerModel model) => ExportUserTower(model, withTable: false);

    /// <summary>The history embedding table the head reads rows of: float32 little-endian [ItemRows × D], row 0 = padding.</summary>
    public static byte[] ExportHistoryEmbeddings(TwoTowerModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return System.Runtime.InteropServices.MemoryMarshal.AsBytes(model.HistoryEmbeddings.AsSpan()).ToArray();
    }

    private static byte[] ExportUserTower(TwoTowerModel model, bool withTable)
    {
        ArgumentNullException.ThrowIfNull(model);
        var d = model.Dimensions;
        var h = model.HiddenDimensions;
        var g = new OnnxGraphBuilder(withTable ? "user_tower" : "user_head");
        g.Input("history_item_idx", DataType.Int64, "batch", "history");
        g.Input("history_weight", DataType.Float, "batch", "history");
        g.Input("session_weight", DataType.Float, "batch", "history");
        if (!withTable)
        {
            g.Input("history_rows", DataType.Float, "batch", "history", d);
        }

        g.Output("user_vector", DataType.Float, "batch", d);

        var w1 = g.Weight("w1_t", Transpose(model.W1, h, 2 * d), 2 * d, h);
        var b1 = g.Weight("b1", model.B1, h);
        var w2 = g.Weight("w2_t", Transpose(model.W2, d, h), h, d);
        var b2 = g.Weight("b2", model.B2, d);
        var axis1 = g.Int64s(1);
        var axis2 = g.Int64s(2);

        // Both pools in one MatMul: weights [B, 2, L] (long-term, session) times rows [B, L, D] gives [B, 2, D],
        // which reshaped to [B, 2D] is exactly Concat(long-term, session). Far less data movement than two
        // broadcast multiplies and reductions over [B, L, D]: the tower runs in fewer microseconds.
        // Padding (index 0) contributes neither to the sums nor to the weight totals.
        var valid = g.Node("Cast", [g.Node("Greater", ["history_item_idx", g.Int64s(0)])], attributes: IntAttribute("to", (long)DataType.Float));
        var both = g.Node("Concat", [g.Node("Unsqueeze", ["history_weight", axis1]), g.Node("Unsqueeze", ["session_weight", axis1])], attributes: IntAttribute("axis", 1));
        var weights = g.Node("Mul", [both, g.Node("Unsqueeze", [valid, axis1])]);
        var rows = withTable
            ? g.Node("Gather", [g.Weight("history_embeddings", model.HistoryEmbeddings, model.ItemRows, d), "history_item_idx"], attributes: IntAttribute("axis", 0))
            : "history_rows";
        var totals = g.Node("Max", [g.Node("ReduceSum", [weights, axis2], attributes: IntAttribute("keepdims", 1)), g.Scalar(TwoTowerModel.PoolEpsilon)]);
        var pools = g.Node("Div", [g.Node("MatMul", [weights, rows]), totals]);
        var x = g.Node("Reshape", [pools, g.Int64s(-1, 2 * d)]);
        var a = g.Node("Add", [g.Node("MatMul", [x, w1]), b1]);
        var r = g.Node("Relu", [a]);
        var y = g.Node("Add", [g.Node("Add", [g.Node("MatMul", [r, w2]), b2]), g.Node("ReduceSum", [pools, axis1], attributes: IntAttribute("keepdims", 0))]);
        Normalise(g, y, "user_vector", axis1);
        return g.ToBytes(Producer);
    }

    /// <summary>Writes the item tower.</summary>
    public static byte[] ExportItemTower(TwoTowerModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var d = model.Dimensions;
        var g = new OnnxGraphBuilder("item_tower");
        g.Input("item_idx", DataType.Int64, "batch");
        g.Input("feature_idx", DataType.Int64, "batch", "features");
        g.Output("item_vector", DataType.Float, "batch", d);

        var itemEmbeddings = g.Weight("item_embeddings", model.ItemEmbeddings, model.ItemRows, d);
        var featureEmbeddings = g.Weight("feature_embeddings", model.FeatureEmbeddings, model.FeatureRows, d);
        var axis1 = g.Int64s(1);

        var id = g.Node("Gather", [itemEmbeddings, "item_idx"], attributes: IntAttribute("axis", 0));
        var features = g.Node("Gather", [featureEmbeddings, "feature_idx"], attributes: IntAttribute("axis", 0));
        var sum = g.Node("ReduceSum", [features, axis1], attributes: IntAttribute("keepdims", 0));
        var valid = g.Node("Cast", [g.Node("Greater", ["feature_idx", g.Int64s(0)])], attributes: IntAttribute("to", (long)DataType.Float));
        var count = g.Node("Max", [g.Node("ReduceSum", [valid, axis1], attributes: IntAttribute("keepdims", 1)), g.Scalar(1f)]);
        var z = g.Node("Add", [id, g.Node("Div", [sum, count])]);
        Normalise(g, z, "item_vector", axis1);
        return g.ToBytes(Producer);
    }

    private static void Normalise(OnnxGraphBuilder g, string y, string output, string axis1)
    {
        var norm = g.Node("Sqrt", [g.Node("ReduceSum", [g.Node("Mul", [y, y]), axis1], attributes: IntAttribute("keepdims", 1))]);
        g.Node("Div", [y, g.Node("Max", [norm, g.Scalar(TwoTowerModel.NormEpsilon)])], output);
    }

    private static float[] Transpose(float[] matrix, int rows, int columns)
    {
        var result = new float[matrix.Length];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                result[(c * rows) + r] = matrix[(r * columns) + c];
            }
        }

        return result;
    }
}
