using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Archive.Search.Lucene.Analysis;
using Lucene.Net.Documents;
using Lucene.Net.Util;

namespace Archive.Search.Lucene.Internal;

/// <summary>Turns a <see cref="SearchDocument"/> into a Lucene document and back (the stored source is JSON).</summary>
internal static class DocumentMapper
{
    private static readonly SourceJsonContext Json = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // stored, never rendered: keep Vietnamese text unescaped
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    });

    public static Document ToLucene(SearchDocument d, bool indexBigrams)
    {
        var doc = new Document
        {
            new StringField(Fields.Id, d.Id, Field.Store.NO),
            new SortedDocValuesField(Fields.Id, new BytesRef(d.Id)),
            new StoredField(Fields.Source, JsonSerializer.Serialize(d, Json.SearchDocument)),
        };

        AddText(doc, Fields.Title, d.Title, indexBigrams);
        AddText(doc, Fields.Subject, d.Subject, indexBigrams);
        foreach (var k in d.Keywords ?? [])
        {
            AddText(doc, Fields.Meta, k, indexBigrams);
        }

        AddText(doc, Fields.Meta, d.IssuingBody, indexBigrams);
        AddText(doc, Fields.Meta, d.DocumentType, indexBigrams);
        AddText(doc, Fields.Meta, d.CodeNumber, indexBigrams);
        AddText(doc, Fields.Meta, d.FileCode, indexBigrams);
        AddText(doc, Fields.Body, d.Text, indexBigrams);
        foreach (var page in d.Pages ?? [])
        {
            AddText(doc, Fields.Body, page, indexBigrams);
        }

        foreach (var (field, value) in SearchFields.SingleValued(d))
        {
            AddExact(doc, field, value);
        }

        foreach (var k in (d.Keywords ?? []).Select(Canonical).Where(k => k.Length > 0).Distinct(StringComparer.Ordinal))
        {
            AddExact(doc, SearchFields.Keyword, k);
        }

        if (d.Tags is not null)
        {
            foreach (var (name, value) in d.Tags)
            {
                AddExact(doc, SearchFields.TagPrefix + Canonical(name), value);
            }
        }

        if (d.Date is { } date)
        {
            doc.Add(new Int64Field(Fields.Date, date.DayNumber, Field.Store.NO));
            doc.Add(new NumericDocValuesField(Fields.Date, date.DayNumber));
            AddExact(doc, SearchFields.Year, date.Year.ToString(CultureInfo.InvariantCulture));
        }

        return doc;
    }

    public static SearchDocument FromSource(string json)
        => JsonSerializer.Deserialize(json, Json.SearchDocument) ?? throw new InvalidDataException("stored source is null");

    /// <summary>Exact-match values are compared in NFC, trimmed.</summary>
    public static string Canonical(string value) => SearchRequestValidator.CanonicalValue(value);

    private static void AddText(Document doc, TextGroup group, string? text, bool indexBigrams)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return;
        }

        // Tokenized once, replayed into the three variants (the fields are single-use: map again for another writer).
        var tokens = SyllableTokens.Analyze(group.Accented, text);
        doc.Add(tokens.Field(group.Accented, VietnameseAnalysisMode.Exact));
        doc.Add(tokens.Field(group.Folded, VietnameseAnalysisMode.Folded));
        if (indexBigrams)
        {
            doc.Add(tokens.Field(group.Bigrams, VietnameseAnalysisMode.FoldedBigrams));
        }
    }

    private static void AddExact(Document doc, string searchField, string? value)
    {
        if (value is null)
        {
            return;
        }

        var v = Canonical(value);
        if (v.Length == 0)
        {
            return;
        }

        var name = Fields.Exact(searchField);
        doc.Add(new StringField(name, v, Field.Store.NO));
        doc.Add(new SortedSetDocValuesField(name, new BytesRef(v)));
    }
}

[JsonSerializable(typeof(SearchDocument))]
internal sealed partial class SourceJsonContext : JsonSerializerContext;
