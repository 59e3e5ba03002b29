using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace Archive.Search.Elastic.Tests.Support;

/// <summary>Semantic JSON comparison: parsed, property order ignored, array order and every value significant.</summary>
public static class JsonAssert
{
    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Equivalent(string expected, JsonNode? actual) => Equivalent(JsonNode.Parse(expected), actual);

    public static void Equivalent(JsonNode? expected, JsonNode? actual)
    {
        if (JsonNode.DeepEquals(expected, actual))
        {
            return;
        }

        Assert.Fail($"JSON differs at {FirstDifference(expected, actual, "$")}.\nExpected:\n{expected?.ToJsonString(Pretty)}\nActual:\n{actual?.ToJsonString(Pretty)}");
    }

    private static string FirstDifference(JsonNode? e, JsonNode? a, string path)
    {
        switch (e, a)
        {
            case (JsonObject eo, JsonObject ao):
                foreach (var (name, value) in eo)
                {
                    if (!ao.TryGetPropertyValue(name, out var other))
                    {
                        return $"{path}.{name} (missing)";
                    }

                    if (!JsonNode.DeepEquals(value, other))
                    {
                        return FirstDifference(value, other, $"{path}.{name}");
                    }
                }

                var extra = ao.Select(p => p.Key).FirstOrDefault(k => !eo.ContainsKey(k));
                return extra is null ? path : $"{path}.{extra} (unexpected)";
            case (JsonArray ea, JsonArray aa):
                for (var i = 0; i < Math.Min(ea.Count, aa.Count); i++)
                {
                    if (!JsonNode.DeepEquals(ea[i], aa[i]))
                    {
                        return FirstDifference(ea[i], aa[i], $"{path}[{i}]");
                    }
                }

                return $"{path} (length {ea.Count} vs {aa.Count})";
            default:
                return $"{path} ({e?.ToJsonString()} vs {a?.ToJsonString()})";
        }
    }
}
