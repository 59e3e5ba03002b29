using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Archive.Retention;

namespace Archive.Records;

/// <summary>
/// The JSON form of stored metadata (<c>metadata/*.json</c> in every package): camelCase, enums as strings,
/// retention periods as their canonical text (<c>permanent</c>, <c>10y</c>), dates in ISO 8601, indented UTF-8
/// without escaping Vietnamese letters. Changing it changes what is stored: keep it stable.
/// </summary>
internal static class ArchiveJson
{
    /// <summary>The serializer options (frozen).</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = true,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            RespectNullableAnnotations = true,
            AllowTrailingCommas = false,
        };
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        o.Converters.Add(new RetentionPeriodJsonConverter());
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }

    internal static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    internal static async ValueTask<T> DeserializeAsync<T>(Stream stream, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(stream, Options, cancellationToken).ConfigureAwait(false)
                ?? throw new ArchiveException($"{what} holds 'null' instead of an object.");
        }
        catch (JsonException ex)
        {
            throw new ArchiveException($"{what} cannot be read: {ex.Message}", ex);
        }
    }
}

/// <summary>Reads and writes <see cref="RetentionPeriod"/> as its canonical text (<c>permanent</c>, <c>until-superseded</c>, <c>10y</c>); reading also accepts the Vietnamese forms.</summary>
internal sealed class RetentionPeriodJsonConverter : JsonConverter<RetentionPeriod>
{
    /// <inheritdoc />
    public override RetentionPeriod Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number => reader.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => throw new JsonException("A retention period is a string such as 'permanent' or '10y'."),
        };
        return RetentionPeriod.TryParse(text, out var period)
            ? period
            : throw new JsonException($"'{text}' is not a retention period: use 'permanent', 'until-superseded' or a number of years such as '10y'.");
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, RetentionPeriod value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToString());
    }
}
