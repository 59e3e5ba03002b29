using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Archive.Migration;

/// <summary>
/// One row of a migration manifest: one content file of one document of one record file (or a document without content).
/// CSV rows and the record files of a JSON manifest are flattened into it, sorted by record file (<see cref="ExternalSortRows"/>)
/// and grouped back.
/// </summary>
internal sealed record MigrationRow
{
    /// <summary>Where the row is in the manifest (see <see cref="MigrationRowError.Row"/>).</summary>
    public long Row { get; init; }

    /// <summary>The order of the row in the manifest (ties of <see cref="Row"/> in JSON).</summary>
    public long Seq { get; init; }

    /// <summary>The record file code (the grouping key; empty when the row has none).</summary>
    public string FileCode { get; init; } = string.Empty;

    /// <summary>Whether the row comes from a JSON manifest.</summary>
    public bool Json { get; init; }

    /// <summary>JSON only: the document's index in its record file.</summary>
    public int? DocIndex { get; init; }

    /// <summary>JSON only: the content's index in its document.</summary>
    public int? ContentIndex { get; init; }

    /// <summary>Values by <see cref="MigrationManifest.Columns"/> (null: absent or empty).</summary>
    public string?[] Values { get; init; } = [];

    public string? this[int column] => column < Values.Length ? Values[column] : null;

    /// <summary>How the report names a column of this row: the CSV column, or its JSON path.</summary>
    public string FieldOf(int column)
    {
        var name = MigrationManifest.Columns[column];
        if (DocIndex is null)
        {
            return name;
        }

        if (column >= MigrationManifest.FirstContentColumn)
        {
            var jsonName = name == "contentPath" ? "path" : name;
            return ContentIndex is { } j ? $"documents[{DocIndex}].contents[{j}].{jsonName}" : $"documents[{DocIndex}].contents";
        }

        if (column >= MigrationManifest.FirstDocumentColumn)
        {
            var jsonName = name switch { "docLanguage" => "language", "docDescription" => "description", _ => name };
            return $"documents[{DocIndex}].{jsonName}";
        }

        return name;
    }
}

/// <summary>Orders rows by record file code, then manifest order.</summary>
internal sealed class ExternalSortRows : IComparer<MigrationRow>
{
    public static readonly ExternalSortRows Instance = new();

    public int Compare(MigrationRow? x, MigrationRow? y)
    {
        var c = string.CompareOrdinal(x!.FileCode, y!.FileCode);
        return c != 0 ? c : x.Seq.CompareTo(y.Seq);
    }
}

/// <summary>A manifest that cannot be read at all: the export is refused as a whole.</summary>
internal sealed class MigrationManifestException(long row, string field, string rule, string message) : Exception(message)
{
    public long Row { get; } = row;

    public string Field { get; } = field;

    public string Rule { get; } = rule;
}

/// <summary>
/// The two manifest formats of an e-office export (docs/api.md#bulk-migration): <c>manifest.csv</c> (UTF-8, comma,
/// RFC 4180 quoting, a header naming the columns of <see cref="Columns"/>; one row per content file, or per document
/// without content; the record file's columns repeated on each of its rows) and <c>manifest.json</c> (an array of record
/// files, each with its record file columns, <c>documents</c> with the document columns and <c>contents</c> of
/// <c>{path, sha256, mediaType}</c>). Both are read forward, one row at a time.
/// </summary>
internal static class MigrationManifest
{
    /// <summary>Every column, record file ones first, then document ones, then content ones.</summary>
    public static readonly string[] Columns =
    [
        // Record file (hồ sơ).
        "fileCode", "fondsCode", "fileCatalog", "fileNotation", "organId", "title", "maintenance", "scheduleItemCode", "rights",
        "creator", "language", "startDate", "endDate", "description", "keywords",

        // Document (văn bản).
        "docOrdinal", "typeName", "codeNumber", "codeNotation", "issuedDate", "organName", "subject", "docLanguage", "pageAmount",
        "docDescription",

        // Content file.
        "contentPath", "sha256", "mediaType",
    ];

    public const int FirstDocumentColumn = 15;
    public const int FirstContentColumn = 25;

    /// <summary>Columns a CSV header must name.</summary>
    public static readonly string[] RequiredColumns = ["fileCode", "fondsCode", "fileCatalog", "fileNotation", "title", "contentPath", "sha256"];

    public static int Column(string name) => Array.IndexOf(Columns, name);

    public const string CsvName = "manifest.csv";
    public const string JsonName = "manifest.json";

    /// <summary>The rows of a CSV manifest, in order.</summary>
    public static IEnumerable<MigrationRow> ReadCsv(Stream stream)
    {
        using var reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true, 64 * 1024);
        var records = ReadRecords(reader).GetEnumerator();
        long record = 0;
        int[] map;
        try
        {
            if (!Next(records, ref record))
            {
                throw new MigrationManifestException(1, "manifest", MigrationRules.ManifestMalformed, "The manifest is empty: the first row must name the columns.");
            }

            var header = records.Current;
            map = new int[header.Count];
            var seen = new HashSet<int>();
            for (var i = 0; i < header.Count; i++)
            {
                var name = header[i].Trim();
                var c = Column(name);
                if (c < 0)
                {
                    throw new MigrationManifestException(1, name, MigrationRules.ColumnUnknown, $"Column '{name}' is not a column of the manifest format (see docs/api.md).");
                }

                if (!seen.Add(c))
                {
                    throw new MigrationManifestException(1, name, MigrationRules.ManifestMalformed, $"Column '{name}' is named twice.");
                }

                map[i] = c;
            }

            foreach (var required in RequiredColumns)
            {
                if (!seen.Contains(Column(required)))
                {
                    throw new MigrationManifestException(1, required, MigrationRules.ColumnMissing, $"The manifest has no column '{required}'.");
                }
            }
        }
        catch (DecoderFallbackException)
        {
            throw new MigrationManifestException(record, "manifest", MigrationRules.ManifestMalformed, "The manifest is not UTF-8 text.");
        }

        var fileCode = Column("fileCode");
        while (true)
        {
            bool more;
            try
            {
                more = Next(records, ref record);
            }
            catch (DecoderFallbackException)
            {
                throw new MigrationManifestException(record + 1, "manifest", MigrationRules.ManifestMalformed, $"Row {record + 1} is not UTF-8 text.");
            }

            if (!more)
            {
                yield break;
            }

            var fields = records.Current;
            if (fields.Count == 1 && fields[0].Length == 0)
            {
                continue; // an empty line
            }

            if (fields.Count != map.Length)
            {
                throw new MigrationManifestException(record, "manifest", MigrationRules.ManifestMalformed, $"Row {record} has {fields.Count} fields; the header names {map.Length} columns.");
            }

            var values = new string?[Columns.Length];
            for (var i = 0; i < fields.Count; i++)
            {
                var v = fields[i].Trim();
                values[map[i]] = v.Length == 0 ? null : v;
            }

            yield return new MigrationRow { Row = record, Seq = record, FileCode = values[fileCode] ?? string.Empty, Values = values };
        }
    }

    private static bool Next(IEnumerator<List<string>> records, ref long record)
    {
        if (!records.MoveNext())
        {
            return false;
        }

        record++;
        return true;
    }

    /// <summary>RFC 4180 records: quoted fields may hold commas, quotes ("") and line breaks.</summary>
    private static IEnumerable<List<string>> ReadRecords(TextReader reader)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var started = false;
        var afterQuote = false;
        int ch;
        while ((ch = reader.Read()) >= 0)
        {
            var c = (char)ch;
            started = true;
            if (quoted)
            {
                if (c == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        reader.Read();
                        field.Append('"');
                    }
                    else
                    {
                        quoted = false;
                        afterQuote = true;
                    }
                }
                else
                {
                    field.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"' when field.Length == 0 && !afterQuote:
                    quoted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    afterQuote = false;
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    afterQuote = false;
                    yield return fields;
                    fields = [];
                    started = false;
                    break;
                default:
                    field.Append(c);
                    break;
            }
        }

        if (quoted)
        {
            throw new MigrationManifestException(0, "manifest", MigrationRules.ManifestMalformed, "The manifest ends inside a quoted field.");
        }

        if (started)
        {
            fields.Add(field.ToString());
            yield return fields;
        }
    }

    /// <summary>The rows of a JSON manifest (an array of record files), in order.</summary>
    public static async IAsyncEnumerable<MigrationRow> ReadJsonAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long index = 0;
        long seq = 0;
        var items = JsonSerializer.DeserializeAsyncEnumerable(stream, ManifestJsonContext.Default.JsonRecordFile, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                JsonRecordFile? item;
                try
                {
                    if (!await items.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }

                    item = items.Current;
                }
                catch (JsonException ex)
                {
                    throw new MigrationManifestException(index + 1, ex.Path is { Length: > 1 } p ? p.TrimStart('$', '.') : "manifest", MigrationRules.ManifestMalformed,
                        $"The JSON manifest cannot be read at record file {index + 1} (line {ex.LineNumber + 1}): {ex.Message}");
                }

                index++;
                if (item is null)
                {
                    throw new MigrationManifestException(index, "manifest", MigrationRules.ManifestMalformed, $"Record file {index} of the JSON manifest is null.");
                }

                var file = new string?[Columns.Length];
                file[0] = item.FileCode;
                file[1] = item.FondsCode;
                file[2] = item.FileCatalog?.ToString(CultureInfo.InvariantCulture);
                file[3] = item.FileNotation;
                file[4] = item.OrganId;
                file[5] = item.Title;
                file[6] = item.Maintenance;
                file[7] = item.ScheduleItemCode;
                file[8] = item.Rights;
                file[9] = item.Creator;
                file[10] = item.Language;
                file[11] = item.StartDate;
                file[12] = item.EndDate;
                file[13] = item.Description;
                file[14] = item.Keywords is { Count: > 0 } k ? string.Join(';', k) : null;
                var documents = item.Documents ?? [];
                if (documents.Count == 0)
                {
                    yield return new MigrationRow { Json = true, Row = index, Seq = ++seq, FileCode = item.FileCode ?? string.Empty, DocIndex = null, Values = Trimmed(file) };
                    continue;
                }

                for (var i = 0; i < documents.Count; i++)
                {
                    var d = documents[i] ?? new JsonDocumentEntry();
                    var values = (string?[])file.Clone();
                    values[15] = d.DocOrdinal?.ToString(CultureInfo.InvariantCulture);
                    values[16] = d.TypeName;
                    values[17] = d.CodeNumber;
                    values[18] = d.CodeNotation;
                    values[19] = d.IssuedDate;
                    values[20] = d.OrganName;
                    values[21] = d.Subject;
                    values[22] = d.Language;
                    values[23] = d.PageAmount?.ToString(CultureInfo.InvariantCulture);
                    values[24] = d.Description;
                    var contents = d.Contents ?? [];
                    if (contents.Count == 0)
                    {
                        yield return new MigrationRow { Json = true, Row = index, Seq = ++seq, FileCode = item.FileCode ?? string.Empty, DocIndex = i, Values = Trimmed(values) };
                        continue;
                    }

                    for (var j = 0; j < contents.Count; j++)
                    {
                        var c = contents[j] ?? new JsonContentEntry();
                        var withContent = (string?[])values.Clone();
                        withContent[25] = c.Path;
                        withContent[26] = c.Sha256;
                        withContent[27] = c.MediaType;
                        yield return new MigrationRow { Json = true, Row = index, Seq = ++seq, FileCode = item.FileCode ?? string.Empty, DocIndex = i, ContentIndex = j, Values = Trimmed(withContent) };
                    }
                }
            }
        }
        finally
        {
            await items.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string?[] Trimmed(string?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = string.IsNullOrWhiteSpace(values[i]) ? null : values[i]!.Trim();
        }

        return values;
    }
}

/// <summary>A record file of a JSON manifest.</summary>
internal sealed class JsonRecordFile
{
    public string? FileCode { get; set; }
    public string? FondsCode { get; set; }
    public int? FileCatalog { get; set; }
    public string? FileNotation { get; set; }
    public string? OrganId { get; set; }
    public string? Title { get; set; }
    public string? Maintenance { get; set; }
    public string? ScheduleItemCode { get; set; }
    public string? Rights { get; set; }
    public string? Creator { get; set; }
    public string? Language { get; set; }
    public string? StartDate { get; set; }
    public string? EndDate { get; set; }
    public string? Description { get; set; }
    public List<string>? Keywords { get; set; }
    public List<JsonDocumentEntry?>? Documents { get; set; }
}

/// <summary>A document of a JSON manifest.</summary>
internal sealed class JsonDocumentEntry
{
    public int? DocOrdinal { get; set; }
    public string? TypeName { get; set; }
    public string? CodeNumber { get; set; }
    public string? CodeNotation { get; set; }
    public string? IssuedDate { get; set; }
    public string? OrganName { get; set; }
    public string? Subject { get; set; }
    public string? Language { get; set; }
    public int? PageAmount { get; set; }
    public string? Description { get; set; }
    public List<JsonContentEntry?>? Contents { get; set; }
}

/// <summary>A content file of a JSON manifest.</summary>
internal sealed class JsonContentEntry
{
    public string? Path { get; set; }
    public string? Sha256 { get; set; }
    public string? MediaType { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(JsonRecordFile))]
[JsonSerializable(typeof(MigrationRow))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
