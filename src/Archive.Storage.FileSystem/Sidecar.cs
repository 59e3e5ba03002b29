using System.Text.Json;
using System.Text.Json.Serialization;

namespace Archive.Storage.FileSystem;

/// <summary>
/// Per-object metadata kept in <c>&lt;root&gt;/.meta/&lt;key&gt;</c> (same relative path as the content file).
/// <see cref="Length"/> and <see cref="ContentTicks"/> identify the content file the sidecar describes: a sidecar
/// whose values disagree with the file is stale (a crash between the two renames of a write, or someone edited
/// the folder by hand) and its digest is not trusted.
/// </summary>
internal sealed class Sidecar
{
    public int Format { get; set; } = 1;

    public required string Key { get; set; }

    public required long Length { get; set; }

    public required string Sha256 { get; set; }

    /// <summary>Last-write time of the content file, UTC ticks (set by the store on the staged file).</summary>
    public required long ContentTicks { get; set; }

    public string? ContentType { get; set; }

    public Dictionary<string, string>? Metadata { get; set; }

    public SidecarRetention? Retention { get; set; }

    public bool LegalHold { get; set; }

    public static Sidecar? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var sidecar = JsonSerializer.Deserialize(json, SidecarJsonContext.Default.Sidecar);
            return sidecar is { Format: 1 } && sidecar.Sha256.Length == 64 ? sidecar : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, SidecarJsonContext.Default.Sidecar);

    public Sidecar With(SidecarRetention? retention, bool legalHold) => new()
    {
        Key = Key,
        Length = Length,
        Sha256 = Sha256,
        ContentTicks = ContentTicks,
        ContentType = ContentType,
        Metadata = Metadata,
        Retention = retention,
        LegalHold = legalHold,
    };
}

/// <summary>Retention as stored in a sidecar.</summary>
internal sealed record SidecarRetention(RetentionMode Mode, DateTimeOffset RetainUntil)
{
    public ObjectRetention ToRetention() => new(Mode, RetainUntil);

    public bool IsActive(DateTimeOffset now) => RetainUntil > now;
}

/// <summary>A sidecar written to the staging folder before it is renamed into place (for roll-forward at recovery).</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Sidecar))]
internal sealed partial class SidecarJsonContext : JsonSerializerContext
{
}
