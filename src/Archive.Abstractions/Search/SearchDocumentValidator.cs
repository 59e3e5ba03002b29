using System.Text;

namespace Archive.Search;

/// <summary>
/// The checks every engine applies to documents, ids and rebuild ids before writing, with the same rule ids
/// (<c>search.document.*</c>, <c>search.rebuild.id-invalid</c>); only the limits differ (<see cref="SearchDocumentLimits"/>).
/// </summary>
public static class SearchDocumentValidator
{
    /// <summary>Longest exact-match value, in UTF-8 bytes.</summary>
    public const int MaxExactValueBytes = 4096;

    /// <summary>Longest page label (<see cref="SearchDocument.PageLabels"/>), in characters.</summary>
    public const int MaxPageLabelLength = 300;

    /// <summary>Checks every document and throws one <see cref="ArchiveValidationException"/> listing every broken rule.</summary>
    /// <exception cref="ArchiveValidationException">A rule is broken.</exception>
    public static void Validate(IReadOnlyCollection<SearchDocument> documents, SearchDocumentLimits limits)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(limits);
        var errors = new List<ValidationError>();
        var i = 0;
        foreach (var d in documents)
        {
            Check(d, $"documents[{i++}]", limits, errors);
        }

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }
    }

    /// <summary>Checks the ids of a delete: none may be null or empty.</summary>
    /// <exception cref="ArchiveValidationException">An id is null or empty.</exception>
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

    /// <summary>Checks a rebuild id (<see cref="ISearchIndexRebuilder.OpenRebuildAsync"/>): 1–200 printable characters.</summary>
    /// <exception cref="ArchiveValidationException">The id is invalid.</exception>
    public static void ValidateRebuildId(string rebuildId)
    {
        if (string.IsNullOrWhiteSpace(rebuildId) || rebuildId.Length > 200 || rebuildId.Any(char.IsControl))
        {
            throw new ArchiveValidationException("rebuildId", "search.rebuild.id-invalid", "A rebuild id is 1–200 printable characters.");
        }
    }

    private static void Check(SearchDocument? d, string at, SearchDocumentLimits limits, List<ValidationError> errors)
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
        else if (Encoding.UTF8.GetByteCount(d.Id) > limits.MaxIdBytes)
        {
            errors.Add(new(at + ".id", "search.document.id-too-long", $"id is longer than {limits.MaxIdBytes} UTF-8 bytes{Why(limits.MaxIdBytesSource)}."));
        }

        if (d.Version < 0)
        {
            errors.Add(new(at + ".version", "search.document.version-negative", "version may not be negative."));
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
            if (value is not null && Encoding.UTF8.GetByteCount(value) > MaxExactValueBytes)
            {
                errors.Add(new($"{at}.{name}", "search.document.value-too-long", $"{name} is longer than {MaxExactValueBytes} UTF-8 bytes (it is an exact-match field)."));
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

            if (limits.MaxPages is { } maxPages && pages.Count > maxPages)
            {
                errors.Add(new(at + ".pages", "search.document.too-many-pages", $"The document has {pages.Count} pages; the index accepts at most {maxPages}{Why(limits.MaxPagesSource)}."));
            }
        }

        if (d.PageLabels is { } labels)
        {
            if (labels.Count != (d.Pages?.Count ?? 0))
            {
                errors.Add(new(at + ".pageLabels", "search.document.page-labels-count", $"The document has {labels.Count} page labels for {d.Pages?.Count ?? 0} pages; give one per page (null for a numbered page)."));
            }

            for (var k = 0; k < labels.Count; k++)
            {
                if (labels[k] is { } label && (label.Length > MaxPageLabelLength || label.Any(char.IsControl)))
                {
                    errors.Add(new($"{at}.pageLabels[{k}]", "search.document.page-label", $"A page label has at most {MaxPageLabelLength} characters and no control characters."));
                }
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

    private static string Why(string? source) => source is null ? string.Empty : " (" + source + ")";
}

/// <summary>The limits that differ between engines, for <see cref="SearchDocumentValidator.Validate"/>.</summary>
public sealed record SearchDocumentLimits
{
    /// <summary>Longest document id, in UTF-8 bytes (default 1024).</summary>
    public int MaxIdBytes { get; init; } = 1024;

    /// <summary>Where <see cref="MaxIdBytes"/> comes from, for the error message (e.g. <c>Elasticsearch's limit</c>), or null.</summary>
    public string? MaxIdBytesSource { get; init; }

    /// <summary>Most pages a document may have, or null for no limit.</summary>
    public int? MaxPages { get; init; }

    /// <summary>Where <see cref="MaxPages"/> comes from, for the error message (e.g. the option's name), or null.</summary>
    public string? MaxPagesSource { get; init; }
}
