using System.Globalization;
using System.Text;

namespace Archive.Search.Elastic.Internal;

/// <summary>A filter in index terms: the exact-match field and its canonical values, or a date range.</summary>
internal abstract record IndexFilter;

internal sealed record IndexTermsFilter(string Field, IReadOnlyList<string> Values, bool Exclude) : IndexFilter;

internal sealed record IndexDateFilter(DateOnly? From, DateOnly? To) : IndexFilter;

/// <summary>
/// Checks requests and documents with the rules (field names and rule ids) of the embedded engine, reporting every
/// broken rule at once, and turns filters into index terms.
/// </summary>
internal static class RequestValidator
{
    public static (List<IndexFilter> Filters, Cursor? Cursor) Validate(SearchRequest request, ElasticsearchSearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new List<ValidationError>();
        SearchRequestValidator.CheckRequest(request, options.MaxQueryLength, errors);

        var filters = Filters(request.Filters ?? [], errors);

        Cursor? cursor = null;
        if (request.Cursor is not null)
        {
            cursor = Cursor.TryDecode(request.Cursor);
            if (cursor is null)
            {
                errors.Add(new("cursor", "search.cursor.malformed", "The cursor is not one this index issued; pass NextCursor of the previous page unchanged."));
            }
            else if (cursor.Sort != request.Sort || cursor.RequestHash != Cursor.HashOf(request))
            {
                errors.Add(new("cursor", "search.cursor.mismatch", "The cursor belongs to a search with another query, filters or sort."));
                cursor = null;
            }
        }

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        return (filters, cursor);
    }

    public static void ValidateDocuments(IReadOnlyCollection<SearchDocument> documents, int maxPages)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var errors = new List<ValidationError>();
        var i = 0;
        foreach (var d in documents)
        {
            Check(d, $"documents[{i++}]", maxPages, errors);
        }

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }
    }

    public static void ValidateIds(IReadOnlyCollection<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var i = 0;
        foreach (var id in ids)
        {
            if (string.IsNullOrEmpty(id))
            {
                throw new ArchiveValidationException($"ids[{i}]", "search.document.id-required", "An id is null or empty.");
            }

            i++;
        }
    }

    public static void ValidateRebuildId(string rebuildId)
    {
        if (string.IsNullOrWhiteSpace(rebuildId) || rebuildId.Length > 200 || rebuildId.Any(char.IsControl))
        {
            throw new ArchiveValidationException("rebuildId", "search.rebuild.id-invalid", "A rebuild id is 1–200 printable characters.");
        }
    }

    private static List<IndexFilter> Filters(IReadOnlyList<SearchFilter> filters, List<ValidationError> errors)
    {
        var result = new List<IndexFilter>();
        for (var i = 0; i < filters.Count; i++)
        {
            var at = $"filters[{i}]";
            switch (filters[i])
            {
                case null:
                    errors.Add(new(at, "search.filter.null", "A filter is null."));
                    break;
                case TermsFilter t:
                    if (!SearchFields.IsFilterable(t.Field))
                    {
                        errors.Add(new(at + ".field", "search.filter.field-unknown", $"'{t.Field}' cannot be filtered; use one of {string.Join(", ", SearchFields.Filterable)} or tag.NAME."));
                        break;
                    }

                    if (t.Values is null)
                    {
                        errors.Add(new(at + ".values", "search.filter.values-required", "values is required (an empty list matches nothing, or everything when excluding)."));
                        break;
                    }

                    var values = new List<string>();
                    for (var v = 0; v < t.Values.Count; v++)
                    {
                        var value = CanonicalValue(t.Field, t.Values[v]);
                        if (value is null)
                        {
                            errors.Add(new($"{at}.values[{v}]", "search.filter.value-invalid", $"'{t.Values[v]}' is not a value of '{t.Field}'{AllowedValues(t.Field)}."));
                        }
                        else
                        {
                            values.Add(value);
                        }
                    }

                    result.Add(new IndexTermsFilter(Fields.Exact(t.Field), values, t.Exclude));
                    break;
                case DateRangeFilter d:
                    if (d.From is { } df && d.To is { } dt && df > dt)
                    {
                        errors.Add(new(at, "search.filter.range-inverted", $"from ({df:yyyy-MM-dd}) is after to ({dt:yyyy-MM-dd})."));
                        break;
                    }

                    result.Add(new IndexDateFilter(d.From, d.To));
                    break;
                case YearRangeFilter y:
                    if (y.From is < 1 or > 9999)
                    {
                        errors.Add(new(at + ".from", "search.filter.year-range", "from must be a year between 1 and 9999."));
                        break;
                    }

                    if (y.To is < 1 or > 9999)
                    {
                        errors.Add(new(at + ".to", "search.filter.year-range", "to must be a year between 1 and 9999."));
                        break;
                    }

                    if (y.From is { } yf && y.To is { } yt && yf > yt)
                    {
                        errors.Add(new(at, "search.filter.range-inverted", $"from ({yf}) is after to ({yt})."));
                        break;
                    }

                    result.Add(new IndexDateFilter(y.From is { } f ? new DateOnly(f, 1, 1) : null, y.To is { } to ? new DateOnly(to, 12, 31) : null));
                    break;
                default:
                    errors.Add(new(at, "search.filter.unsupported", $"Filter type {filters[i].GetType().Name} is not supported by this engine."));
                    break;
            }
        }

        return result;
    }

    /// <summary>The indexed form of a filter value, or null when the value cannot exist for this field.</summary>
    private static string? CanonicalValue(string field, string? value)
    {
        if (value is null)
        {
            return null;
        }

        return field switch
        {
            SearchFields.AccessLevel => Enum.GetNames<AccessLevel>().FirstOrDefault(n => string.Equals(n, value.Trim(), StringComparison.OrdinalIgnoreCase)),
            SearchFields.Kind => Enum.GetNames<SearchDocumentKind>().FirstOrDefault(n => string.Equals(n, value.Trim(), StringComparison.OrdinalIgnoreCase)),
            SearchFields.Year => int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var year) && year is >= 1 and <= 9999
                ? year.ToString(CultureInfo.InvariantCulture)
                : null,
            _ => VietnameseRules.Canonical(value),
        };
    }

    private static string AllowedValues(string field) => field switch
    {
        SearchFields.AccessLevel => " (use " + string.Join(", ", Enum.GetNames<AccessLevel>()) + ")",
        SearchFields.Kind => " (use " + string.Join(", ", Enum.GetNames<SearchDocumentKind>()) + ")",
        SearchFields.Year => " (use a year such as 2024)",
        _ => "",
    };

    private static void Check(SearchDocument? d, string at, int maxPages, List<ValidationError> errors)
    {
        if (d is null)
        {
            errors.Add(new(at, "search.document.null", "A document is null."));
            return;
        }

        if (string.IsNullOrWhiteSpace(d.Id))
        {
            errors.Add(new(at + ".id", "search.document.id-required", "id is required."));
        }
        else if (Encoding.UTF8.GetByteCount(d.Id) > 512)
        {
            // Elasticsearch's own limit for _id is 512 bytes (the embedded engine accepts 1024).
            errors.Add(new(at + ".id", "search.document.id-too-long", "id is longer than 512 UTF-8 bytes (Elasticsearch's limit)."));
        }

        if (!Enum.IsDefined(d.Kind))
        {
            errors.Add(new(at + ".kind", "search.document.kind-unknown", $"Unknown kind {(int)d.Kind}."));
        }

        if (!Enum.IsDefined(d.AccessLevel))
        {
            errors.Add(new(at + ".accessLevel", "search.document.access-unknown", $"Unknown access level {(int)d.AccessLevel}."));
        }

        void Exact(string name, string? value)
        {
            if (value is not null && Encoding.UTF8.GetByteCount(value) > 4096)
            {
                errors.Add(new($"{at}.{name}", "search.document.value-too-long", $"{name} is longer than 4096 UTF-8 bytes (it is an exact-match field)."));
            }
        }

        Exact("parentId", d.ParentId);
        Exact("agencyId", d.AgencyId);
        Exact("fondsId", d.FondsId);
        Exact("fileCode", d.FileCode);
        Exact("codeNumber", d.CodeNumber);
        Exact("documentType", d.DocumentType);
        Exact("issuingBody", d.IssuingBody);
        Exact("retention", d.Retention);
        Exact("status", d.Status);
        var keywords = d.Keywords ?? [];
        for (var k = 0; k < keywords.Count; k++)
        {
            if (keywords[k] is null)
            {
                errors.Add(new($"{at}.keywords[{k}]", "search.document.keyword-null", "A keyword is null."));
            }
            else
            {
                Exact($"keywords[{k}]", keywords[k]);
            }
        }

        if (d.Pages is { } pages)
        {
            if (pages.Any(p => p is null))
            {
                errors.Add(new(at + ".pages", "search.document.page-null", "A page is null (use an empty string for a blank page)."));
            }

            if (pages.Count > maxPages)
            {
                errors.Add(new(at + ".pages", "search.document.too-many-pages", $"The document has {pages.Count} pages; the index accepts at most {maxPages} (ElasticsearchSearchOptions.MaxPagesPerDocument)."));
            }
        }

        if (d.Tags is { } tags)
        {
            foreach (var (name, value) in tags)
            {
                if (string.IsNullOrWhiteSpace(name) || name.Any(char.IsControl))
                {
                    errors.Add(new($"{at}.tags", "search.document.tag-name", $"Tag name '{name}' is empty or has control characters."));
                }
                else if (value is null)
                {
                    errors.Add(new($"{at}.tags[{name}]", "search.document.tag-value-null", "A tag value is null."));
                }
                else
                {
                    Exact($"tags[{name}]", value);
                }
            }
        }
    }
}
