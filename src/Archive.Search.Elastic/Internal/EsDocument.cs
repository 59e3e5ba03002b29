using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Archive.Search.Elastic.Internal;

/// <summary>
/// A <see cref="SearchDocument"/> as it is stored in Elasticsearch. Its own converter writes and reads the JSON, so the
/// layout does not depend on the source serializer options of a host-supplied client (naming policies, enum
/// converters, null handling).
/// </summary>
/// <remarks>
/// <code>
/// { "id", "title", "subject", "text", "pages": [{"text"}],   analysed text, kept in _source
///   "meta": [...], "body": [...],                            analysed search groups, excluded from _source
///   "date": "yyyy-MM-dd",
///   "f": { "kind", "agency", …, "year", "keyword": [...], "tag": {name: value} },   canonical exact values
///   "src": { original non-text properties, "version"?, "pageLabels"? } }    not indexed
/// </code>
/// </remarks>
[JsonConverter(typeof(EsDocumentConverter))]
internal sealed class EsDocument
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // A request body, never rendered: Vietnamese text stays UTF-8 instead of 6-byte \uXXXX escapes.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private byte[]? _json;

    public EsDocument(SearchDocument document)
    {
        Document = document;
    }

    public SearchDocument Document { get; }

    /// <summary>The stored JSON (computed once; also the size used to cut bulk requests).</summary>
    public ReadOnlyMemory<byte> Json => _json ??= Serialize(Document);

    /// <summary>
    /// The stored form of <paramref name="document"/>, its text and pages shortened by one proportion (pages kept in
    /// number, cut at character boundaries) when its JSON is larger than <paramref name="maxBytes"/>; null when it
    /// cannot fit even without text. Bounded: each round shrinks the text, and the text-free form is checked first.
    /// </summary>
    public static EsDocument? Fit(SearchDocument document, long maxBytes, out long originalBytes)
    {
        var full = new EsDocument(document);
        originalBytes = full.Json.Length;
        if (originalBytes <= maxBytes)
        {
            return full;
        }

        var bare = new EsDocument(Shorten(document, 0));
        if (bare.Json.Length > maxBytes)
        {
            return null;
        }

        var factor = (double)(maxBytes - bare.Json.Length) / (originalBytes - bare.Json.Length);
        for (var round = 0; round < 40; round++, factor *= 0.9)
        {
            var shortened = new EsDocument(Shorten(document, factor * 0.98));
            if (shortened.Json.Length <= maxBytes)
            {
                return shortened;
            }
        }

        return bare;
    }

    private static SearchDocument Shorten(SearchDocument d, double factor) => d with
    {
        Text = Cut(d.Text, factor),
        Pages = d.Pages?.Select(p => Cut(p, factor) ?? "").ToList(),
    };

    private static string? Cut(string? text, double factor)
    {
        if (text is null)
        {
            return null;
        }

        var keep = (int)Math.Floor(text.Length * Math.Clamp(factor, 0, 1));
        if (keep > 0 && keep < text.Length && char.IsHighSurrogate(text[keep - 1]))
        {
            keep--; // never split a surrogate pair
        }

        return text[..keep];
    }

    private static byte[] Serialize(SearchDocument document)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            EsDocumentConverter.WriteDocument(writer, document);
        }

        return buffer.WrittenSpan.ToArray();
    }
}

internal sealed class EsDocumentConverter : JsonConverter<EsDocument>
{
    private const string DateFormat = "yyyy-MM-dd";

    public override EsDocument Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var json = JsonDocument.ParseValue(ref reader);
        return new EsDocument(FromSource(json.RootElement));
    }

    public override void Write(Utf8JsonWriter writer, EsDocument value, JsonSerializerOptions options)
        => writer.WriteRawValue(value.Json.Span, skipInputValidation: true);

    public static void WriteDocument(Utf8JsonWriter w, SearchDocument d)
    {
        w.WriteStartObject();
        w.WriteString(Fields.Id, d.Id);
        WriteIfNotNull(w, Fields.Title.Accented, d.Title);
        WriteIfNotNull(w, Fields.Subject.Accented, d.Subject);
        WriteIfNotNull(w, Fields.Text, d.Text);
        if (d.Pages is { } pages)
        {
            w.WriteStartArray(Fields.Pages);
            foreach (var page in pages)
            {
                w.WriteStartObject();
                w.WriteString("text", page);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        // Search groups, in the order the embedded engine adds them; blank values are not indexed.
        var meta = (d.Keywords ?? []).Append(d.IssuingBody).Append(d.DocumentType).Append(d.CodeNumber).Append(d.FileCode);
        WriteTexts(w, Fields.Meta.Accented, meta);
        WriteTexts(w, Fields.Body.Accented, (d.Pages ?? []).Prepend(d.Text));

        if (d.Date is { } date)
        {
            w.WriteString(Fields.Date, date.ToString(DateFormat, CultureInfo.InvariantCulture));
        }

        w.WriteStartObject("f");
        foreach (var (field, value) in SearchFields.SingleValued(d))
        {
            WriteExact(w, field, value);
        }

        if (d.Date is { } year)
        {
            w.WriteString(SearchFields.Year, year.Year.ToString(CultureInfo.InvariantCulture));
        }

        var keywords = (d.Keywords ?? []).Where(k => k is not null).Select(VietnameseRules.Canonical).Where(k => k.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (keywords.Count > 0)
        {
            w.WriteStartArray(SearchFields.Keyword);
            foreach (var k in keywords)
            {
                w.WriteStringValue(k);
            }

            w.WriteEndArray();
        }

        if (d.Tags is { Count: > 0 } tags)
        {
            // Names and values canonical (NFC, trimmed); names that become equal keep every value.
            var byName = tags
                .Where(t => t.Value is not null)
                .Select(t => (Name: VietnameseRules.Canonical(t.Key), Value: VietnameseRules.Canonical(t.Value)))
                .Where(t => t.Name.Length > 0 && t.Value.Length > 0)
                .GroupBy(t => t.Name, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .ToList();
            if (byName.Count > 0)
            {
                w.WriteStartObject("tag");
                foreach (var g in byName)
                {
                    var values = g.Select(t => t.Value).Distinct(StringComparer.Ordinal).ToList();
                    if (values.Count == 1)
                    {
                        w.WriteString(g.Key, values[0]);
                    }
                    else
                    {
                        w.WriteStartArray(g.Key);
                        values.ForEach(w.WriteStringValue);
                        w.WriteEndArray();
                    }
                }

                w.WriteEndObject();
            }
        }

        w.WriteEndObject();

        w.WriteStartObject(Fields.Source);
        w.WriteString("kind", d.Kind.ToString());
        if (d.Version is { } version)
        {
            w.WriteNumber("version", version);
        }

        WriteIfNotNull(w, "parentId", d.ParentId);
        if (d.PageLabels is { } labels)
        {
            // Kept in the unindexed "src" object: no mapping change, so indices created before labels existed take them.
            w.WriteStartArray("pageLabels");
            foreach (var label in labels)
            {
                if (label is null)
                {
                    w.WriteNullValue();
                }
                else
                {
                    w.WriteStringValue(label);
                }
            }

            w.WriteEndArray();
        }

        w.WriteStartArray("keywords");
        foreach (var k in d.Keywords ?? [])
        {
            w.WriteStringValue(k);
        }

        w.WriteEndArray();
        WriteIfNotNull(w, "agencyId", d.AgencyId);
        WriteIfNotNull(w, "fondsId", d.FondsId);
        WriteIfNotNull(w, "fileCode", d.FileCode);
        WriteIfNotNull(w, "codeNumber", d.CodeNumber);
        WriteIfNotNull(w, "documentType", d.DocumentType);
        WriteIfNotNull(w, "issuingBody", d.IssuingBody);
        WriteIfNotNull(w, "retention", d.Retention);
        w.WriteString("accessLevel", d.AccessLevel.ToString());
        WriteIfNotNull(w, "status", d.Status);
        if (d.Date is { } original)
        {
            w.WriteString("date", original.ToString(DateFormat, CultureInfo.InvariantCulture));
        }

        if (d.Tags is { } originalTags)
        {
            w.WriteStartObject("tags");
            foreach (var (name, value) in originalTags)
            {
                w.WriteString(name, value);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>The <see cref="SearchDocument"/> of a stored <c>_source</c>.</summary>
    public static SearchDocument FromSource(JsonElement root)
    {
        var src = root.TryGetProperty(Fields.Source, out var s) && s.ValueKind == JsonValueKind.Object ? s : default;
        IReadOnlyList<string>? pages = null;
        if (root.TryGetProperty(Fields.Pages, out var p) && p.ValueKind == JsonValueKind.Array)
        {
            pages = p.EnumerateArray().Select(e => e.TryGetProperty("text", out var t) ? t.GetString() ?? "" : "").ToList();
        }

        Dictionary<string, string>? tags = null;
        if (Get(src, "tags") is { ValueKind: JsonValueKind.Object } t)
        {
            tags = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var prop in t.EnumerateObject())
            {
                tags[prop.Name] = prop.Value.GetString() ?? "";
            }
        }

        return new SearchDocument
        {
            Id = String(root, Fields.Id) ?? throw new JsonException("stored document has no id"),
            Kind = Enum.TryParse<SearchDocumentKind>(String(src, "kind"), out var kind) ? kind : SearchDocumentKind.RecordFile,
            ParentId = String(src, "parentId"),
            Title = String(root, Fields.Title.Accented),
            Subject = String(root, Fields.Subject.Accented),
            Text = String(root, Fields.Text),
            Pages = pages,
            PageLabels = Get(src, "pageLabels") is { ValueKind: JsonValueKind.Array } pl ? pl.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : null).ToList() : null,
            Keywords = Get(src, "keywords") is { ValueKind: JsonValueKind.Array } k ? k.EnumerateArray().Select(e => e.GetString() ?? "").ToList() : [],
            AgencyId = String(src, "agencyId"),
            FondsId = String(src, "fondsId"),
            FileCode = String(src, "fileCode"),
            CodeNumber = String(src, "codeNumber"),
            DocumentType = String(src, "documentType"),
            IssuingBody = String(src, "issuingBody"),
            Retention = String(src, "retention"),
            AccessLevel = Enum.TryParse<AccessLevel>(String(src, "accessLevel"), out var access) ? access : AccessLevel.Public,
            Status = String(src, "status"),
            Date = String(src, "date") is { } date ? DateOnly.ParseExact(date, DateFormat, CultureInfo.InvariantCulture) : null,
            Tags = tags,
            Version = Get(src, "version") is { ValueKind: JsonValueKind.Number } v && v.TryGetInt64(out var n) ? n : null,
        };
    }

    private static JsonElement? Get(JsonElement obj, string name)
        => obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) ? v : null;

    private static string? String(JsonElement obj, string name)
        => Get(obj, name) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    private static void WriteIfNotNull(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    private static void WriteTexts(Utf8JsonWriter w, string name, IEnumerable<string?> values)
    {
        var list = values.Where(v => !string.IsNullOrWhiteSpace(v)).ToList();
        if (list.Count == 0)
        {
            return;
        }

        w.WriteStartArray(name);
        foreach (var v in list)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    private static void WriteExact(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            return;
        }

        var v = VietnameseRules.Canonical(value);
        if (v.Length > 0)
        {
            w.WriteString(name, v);
        }
    }
}
