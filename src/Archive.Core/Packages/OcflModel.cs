using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Archive.Packages;

/// <summary>An OCFL 1.1 inventory as stored (<c>inventory.json</c>).</summary>
internal sealed class OcflInventoryDocument
{
    public const string InventoryType = "https://ocfl.io/1.1/spec/#inventory";
    public const string Sha256 = "sha256";

    /// <summary>The fixity algorithm of OCFL community extension 0009 (file size in bytes, decimal).</summary>
    public const string SizeAlgorithm = "size";

    [JsonPropertyName("id")]
    public string Id { get; set; } = string.Empty;

    [JsonPropertyName("type")]
    public string Type { get; set; } = InventoryType;

    [JsonPropertyName("digestAlgorithm")]
    public string DigestAlgorithm { get; set; } = Sha256;

    [JsonPropertyName("head")]
    public string Head { get; set; } = string.Empty;

    [JsonPropertyName("contentDirectory")]
    public string? ContentDirectory { get; set; }

    [JsonPropertyName("manifest")]
    public Dictionary<string, List<string>> Manifest { get; set; } = new(StringComparer.Ordinal);

    [JsonPropertyName("versions")]
    public Dictionary<string, OcflVersionDocument> Versions { get; set; } = new(StringComparer.Ordinal);

    [JsonPropertyName("fixity")]
    public Dictionary<string, Dictionary<string, List<string>>>? Fixity { get; set; }

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, OcflJsonContext.Readable.OcflInventoryDocument);

    /// <summary>Parses an inventory; null when it is not valid JSON of the expected shape.</summary>
    public static OcflInventoryDocument? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, OcflJsonContext.Default.OcflInventoryDocument);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string VersionName(int number) => "v" + number.ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses "v3" (or zero-padded "v003") to 3; null otherwise.</summary>
    public static int? ParseVersionName(string name)
        => name.Length >= 2 && name[0] == 'v' && name.AsSpan(1).IndexOfAnyExceptInRange('0', '9') < 0
           && int.TryParse(name.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : null;

    public static string FormatCreated(DateTimeOffset created)
        => created.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>One version block of an inventory.</summary>
internal sealed class OcflVersionDocument
{
    [JsonPropertyName("created")]
    public string Created { get; set; } = string.Empty;

    [JsonPropertyName("state")]
    public Dictionary<string, List<string>> State { get; set; } = new(StringComparer.Ordinal);

    [JsonPropertyName("message")]
    public string? Message { get; set; }

    [JsonPropertyName("user")]
    public OcflUserDocument? User { get; set; }
}

/// <summary>The user of a version.</summary>
internal sealed class OcflUserDocument
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;

    [JsonPropertyName("address")]
    public string? Address { get; set; }
}

/// <summary><c>ocfl_layout.json</c> of the storage root.</summary>
internal sealed class OcflLayoutDocument
{
    [JsonPropertyName("extension")]
    public string Extension { get; set; } = string.Empty;

    [JsonPropertyName("description")]
    public string Description { get; set; } = string.Empty;
}

/// <summary>Configuration of extension 0003 (<c>extensions/0003-hash-and-id-n-tuple-storage-layout/config.json</c>).</summary>
internal sealed class OcflLayoutConfigDocument
{
    [JsonPropertyName("extensionName")]
    public string ExtensionName { get; set; } = string.Empty;

    [JsonPropertyName("digestAlgorithm")]
    public string DigestAlgorithm { get; set; } = "sha256";

    [JsonPropertyName("tupleSize")]
    public int TupleSize { get; set; } = 3;

    [JsonPropertyName("numberOfTuples")]
    public int NumberOfTuples { get; set; } = 3;
}

/// <summary>The provisional content of <c>vN/inventory.json</c> while version N is being written (the claim).</summary>
internal sealed class OcflClaimDocument
{
    [JsonPropertyName("claim")]
    public string Claim { get; set; } = string.Empty;

    [JsonPropertyName("writer")]
    public string Writer { get; set; } = string.Empty;

    [JsonPropertyName("nonce")]
    public string? Nonce { get; set; }

    [JsonPropertyName("created")]
    public string Created { get; set; } = string.Empty;

    [JsonPropertyName("expires")]
    public string? Expires { get; set; }
}

/// <summary>
/// One acknowledged change of a package kept beside its OCFL object until it is folded into a version
/// (<c>extensions/archive-journal/entries/&lt;version&gt;.json</c>, see <see cref="OcflPackageStore"/>).
/// </summary>
internal sealed class JournalEntryDocument
{
    /// <summary>The logical version this change made.</summary>
    [JsonPropertyName("version")]
    public int Version { get; set; }

    /// <summary>SHA-256 of the root inventory the change was made on: an entry whose base is not the current root inventory is stale.</summary>
    [JsonPropertyName("base")]
    public string Base { get; set; } = string.Empty;

    [JsonPropertyName("created")]
    public string Created { get; set; } = string.Empty;

    [JsonPropertyName("message")]
    public string? Message { get; set; }

    [JsonPropertyName("user")]
    public OcflUserDocument? User { get; set; }

    /// <summary>The files put (path, digest, size) and removed (path only), in commit order.</summary>
    [JsonPropertyName("changes")]
    public List<JournalChangeDocument> Changes { get; set; } = [];

    /// <summary>Content this change stored in the journal: digest → path relative to the object root.</summary>
    [JsonPropertyName("contents")]
    public Dictionary<string, string> Contents { get; set; } = new(StringComparer.Ordinal);
}

internal sealed class JournalChangeDocument
{
    [JsonPropertyName("path")]
    public string Path { get; set; } = string.Empty;

    /// <summary>The content's digest; absent for a removal.</summary>
    [JsonPropertyName("sha256")]
    public string? Sha256 { get; set; }

    [JsonPropertyName("size")]
    public long? Size { get; set; }
}

/// <summary>
/// The acknowledged changes one OCFL version settled (<c>extensions/archive-journal/folds/vN.json</c>), written before
/// that version's commit point: the version is the state after the last of them.
/// </summary>
internal sealed class JournalFoldDocument
{
    [JsonPropertyName("ocflVersion")]
    public string OcflVersion { get; set; } = string.Empty;

    [JsonPropertyName("entries")]
    public List<JournalEntryDocument> Entries { get; set; } = [];

    /// <summary>SHA-256 of each entry's stored bytes, in the same order (they keep the logical versions' tags).</summary>
    [JsonPropertyName("entryDigests")]
    public List<string> EntryDigests { get; set; } = [];
}

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OcflInventoryDocument))]
[JsonSerializable(typeof(OcflLayoutDocument))]
[JsonSerializable(typeof(OcflLayoutConfigDocument))]
[JsonSerializable(typeof(OcflClaimDocument))]
[JsonSerializable(typeof(JournalEntryDocument))]
[JsonSerializable(typeof(JournalFoldDocument))]
internal sealed partial class OcflJsonContext : JsonSerializerContext
{
    /// <summary>Indented, with non-ASCII text (Vietnamese) written as is rather than as \u escapes.</summary>
    public static OcflJsonContext Readable { get; } = new(new JsonSerializerOptions
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
