namespace Archive.Search.Elastic.Internal;

/// <summary>Field names of the Elasticsearch index.</summary>
internal static class Fields
{
    /// <summary>Document id (keyword with doc values: the tie-break sort; <c>_id</c> cannot be sorted on).</summary>
    public const string Id = "id";

    /// <summary>Full text for highlighting only (folded analyzer); searched through <see cref="Body"/>.</summary>
    public const string Text = "text";

    /// <summary>Nested page objects (<c>pages.text</c>, folded): page-numbered highlights through inner hits.</summary>
    public const string Pages = "pages";

    /// <summary>Text of a page.</summary>
    public const string PageText = "pages.text";

    /// <summary>Date (<c>strict_date</c>): range filters and sort.</summary>
    public const string Date = "date";

    /// <summary>Object of exact-match filter/facet fields (<c>f.agency</c>, <c>f.tag.NAME</c>), canonical values.</summary>
    public const string ExactPrefix = "f.";

    /// <summary>Flattened object of tags.</summary>
    public const string Tags = "f.tag";

    /// <summary>The original values of the non-text properties (not indexed), so hits return the document as it was given.</summary>
    public const string Source = "src";

    /// <summary>Name of the inner hits that carry page highlights.</summary>
    public const string PagesInnerHits = "pages";

    /// <summary>Title.</summary>
    public static readonly TextGroup Title = new("title");

    /// <summary>Subject (trích yếu).</summary>
    public static readonly TextGroup Subject = new("subject");

    /// <summary>Keywords, issuing body, type, codes (not kept in <c>_source</c>).</summary>
    public static readonly TextGroup Meta = new("meta");

    /// <summary>Full text and pages (not kept in <c>_source</c>).</summary>
    public static readonly TextGroup Body = new("body");

    public static readonly TextGroup[] Groups = [Title, Subject, Meta, Body];

    /// <summary>The index field of a filter/facet field (<see cref="SearchFields"/> name, tags canonicalised).</summary>
    public static string Exact(string searchField)
        => searchField.StartsWith(SearchFields.TagPrefix, StringComparison.Ordinal)
            ? Tags + "." + VietnameseRules.Canonical(searchField[SearchFields.TagPrefix.Length..])
            : ExactPrefix + searchField;
}

/// <summary>One analysed text group: accented (the field itself), folded (<c>.f</c>) and folded bigrams (<c>.s</c>).</summary>
internal sealed class TextGroup(string name)
{
    public string Accented { get; } = name;

    public string Folded { get; } = name + ".f";

    public string Bigrams { get; } = name + ".s";
}
