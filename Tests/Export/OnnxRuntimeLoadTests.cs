using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MiniBioBert.Training.Export;
using Onnx;

namespace MiniBioBert.Tests.Export;

/// <summary>ONNX Runtime's native library loads here, and runs a one-node graph the builder wrote.</summary>
public sealed class OnnxRuntimeLoadTests
{
    [Test]
    public void OneAddNodeRunsInOnnxRuntime()
    {
        var builder = new OnnxGraphBuilder("add");
        string x = builder.Input("x", TensorProto.Types.DataType.Float, "n");
        builder.Output(builder.Op("Add", [x, builder.Scalar(1.5f)]), "y", TensorProto.Types.DataType.Float, "n");
        using var session = new InferenceSession(builder.Build().ToByteArray());

        var input = new DenseTensor<float>(new float[] { 1f, 2f, 3f }, [3]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", input)]);

        Assert.That(results.Single().AsTensor<float>().ToArray(), Is.EqualTo(new[] { 2.5f, 3.5f, 4.5f }));
    }
}
