using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Archive.Audit;

/// <summary>
/// The canonical serialisation of audit records and checkpoints: UTF-8 JSON with a fixed property order, every
/// property written (null when absent) except the event's <c>actorId</c> and <c>actorRoles</c>, and the later <c>classification</c>,
/// which are written only when present (so records stored before they existed keep their bytes and hash), timestamps as <c>yyyy-MM-ddTHH:mm:ss.fffffffZ</c>, no whitespace. The record
/// hash is SHA-256 over the canonical (sequence, timestamp, event, previousHash); the stored object is the same JSON
/// with <c>hash</c> appended, so any byte changed in a stored record is detected.
/// </summary>
internal static class AuditCodec
{
    /// <summary>The previous hash of the first record: 64 zeros.</summary>
    public static readonly string GenesisHash = new('0', 64);

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    /// <summary>Formats an instant the canonical way (UTC, 7 fractional digits).</summary>
    public static string FormatTime(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Parses a canonical instant.</summary>
    public static DateTimeOffset ParseTime(string value)
        => DateTimeOffset.ParseExact(value, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>Hex SHA-256 of the canonical form of a record's content (without its hash).</summary>
    public static string ComputeHash(long sequence, DateTimeOffset timestamp, AuditEvent auditEvent, string previousHash)
        => Convert.ToHexStringLower(SHA256.HashData(Write(sequence, timestamp, auditEvent, previousHash, null)));

    /// <summary>The stored bytes of a record (canonical content plus its hash).</summary>
    public static byte[] Serialize(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return Write(record.Sequence, record.Timestamp, record.Event, record.PreviousHash, record.Hash);
    }

    /// <summary>Parses stored record bytes.</summary>
    /// <exception cref="FormatException">Not a well-formed audit record.</exception>
    public static AuditRecord Deserialize(ReadOnlySpan<byte> utf8)
    {
        try
        {
            using var doc = JsonDocument.Parse(utf8.ToArray());
            var root = doc.RootElement;
            var e = root.GetProperty("event");
            return new AuditRecord
            {
                Sequence = root.GetProperty("sequence").GetInt64(),
                Timestamp = ParseTime(root.GetProperty("timestamp").GetString() ?? throw new FormatException("timestamp is null")),
                PreviousHash = root.GetProperty("previousHash").GetString() ?? throw new FormatException("previousHash is null"),
                Hash = root.GetProperty("hash").GetString() ?? throw new FormatException("hash is null"),
                Event = new AuditEvent
                {
                    Action = e.GetProperty("action").GetString() ?? throw new FormatException("action is null"),
                    Actor = e.GetProperty("actor").GetString() ?? throw new FormatException("actor is null"),
                    ActorId = e.TryGetProperty("actorId", out var actorId) ? actorId.GetString() : null,
                    ActorRoles = e.TryGetProperty("actorRoles", out var actorRoles) ? actorRoles.GetString() : null,
                    ActorAgencyId = e.GetProperty("actorAgencyId").GetString(),
                    ObjectType = e.GetProperty("objectType").GetString(),
                    ObjectId = e.GetProperty("objectId").GetString(),
                    Outcome = Enum.Parse<AuditOutcome>(e.GetProperty("outcome").GetString() ?? throw new FormatException("outcome is null")),
                    Detail = e.GetProperty("detail").GetString(),
                    ClientAddress = e.GetProperty("clientAddress").GetString(),
                    Classification = e.TryGetProperty("classification", out var c) ? Enum.Parse<Archive.AccessLevel>(c.GetString() ?? throw new FormatException("classification is null")) : null,
                },
            };
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException)
        {
            throw new FormatException("Not a well-formed audit record: " + ex.Message, ex);
        }
    }

    /// <summary>The bytes a checkpoint signature covers: canonical (sequence, hash, timestamp).</summary>
    public static byte[] CheckpointContent(long sequence, string hash, DateTimeOffset timestamp)
    {
        var buffer = new ArrayBufferWriter<byte>(160);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteNumber("sequence", sequence);
            w.WriteString("hash", hash);
            w.WriteString("timestamp", FormatTime(timestamp));
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The stored bytes of a checkpoint.</summary>
    public static byte[] Serialize(AuditCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteNumber("sequence", checkpoint.Sequence);
            w.WriteString("hash", checkpoint.Hash);
            w.WriteString("timestamp", FormatTime(checkpoint.Timestamp));
            w.WriteString("signature", checkpoint.Signature);
            w.WriteString("signer", checkpoint.Signer);
            w.WriteString("signerThumbprint", checkpoint.SignerThumbprint);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Parses stored checkpoint bytes.</summary>
    /// <exception cref="FormatException">Not a well-formed checkpoint.</exception>
    public static AuditCheckpoint DeserializeCheckpoint(ReadOnlySpan<byte> utf8)
    {
        try
        {
            using var doc = JsonDocument.Parse(utf8.ToArray());
            var root = doc.RootElement;
            return new AuditCheckpoint
            {
                Sequence = root.GetProperty("sequence").GetInt64(),
                Hash = root.GetProperty("hash").GetString() ?? throw new FormatException("hash is null"),
                Timestamp = ParseTime(root.GetProperty("timestamp").GetString() ?? throw new FormatException("timestamp is null")),
                Signature = root.TryGetProperty("signature", out var s) ? s.GetString() : null,
                Signer = root.TryGetProperty("signer", out var n) ? n.GetString() : null,
                SignerThumbprint = root.TryGetProperty("signerThumbprint", out var t) ? t.GetString() : null,
            };
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException)
        {
            throw new FormatException("Not a well-formed audit checkpoint: " + ex.Message, ex);
        }
    }

    private static byte[] Write(long sequence, DateTimeOffset timestamp, AuditEvent e, string previousHash, string? hash)
    {
        ArgumentNullException.ThrowIfNull(e);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteNumber("sequence", sequence);
            w.WriteString("timestamp", FormatTime(timestamp));
            w.WriteStartObject("event");
            w.WriteString("action", e.Action);
            w.WriteString("actor", e.Actor);
            if (e.ActorId is not null)
            {
                w.WriteString("actorId", e.ActorId);
            }

            if (e.ActorRoles is not null)
            {
                w.WriteString("actorRoles", e.ActorRoles);
            }

            w.WriteString("actorAgencyId", e.ActorAgencyId);
            w.WriteString("objectType", e.ObjectType);
            w.WriteString("objectId", e.ObjectId);
            w.WriteString("outcome", e.Outcome.ToString());
            w.WriteString("detail", e.Detail);
            w.WriteString("clientAddress", e.ClientAddress);
            if (e.Classification is { } classification)
            {
                // Written only when set, so records stored before the property existed keep their canonical form and hash.
                w.WriteString("classification", classification.ToString());
            }

            w.WriteEndObject();
            w.WriteString("previousHash", previousHash);
            if (hash is not null)
            {
                w.WriteString("hash", hash);
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
