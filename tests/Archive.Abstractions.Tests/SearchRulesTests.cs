using Archive.Search;
using Xunit;

namespace Archive.Abstractions.Tests;

/// <summary>The search rules and cursor that every engine shares.</summary>
public sealed class SearchRulesTests
{
    [Fact]
    public void Cursors_round_trip_and_reject_tampering()
    {
        var request = new SearchRequest { Query = "x" };
        var cursor = new SearchCursor(SearchSort.Relevance, SearchCursor.HashOf(request), 1.3862943611198906, 0, "id/1");
        Assert.Equal(cursor, SearchCursor.TryDecode(cursor.Encode()));
        var date = new SearchCursor(SearchSort.DateAscending, 7, 0, long.MaxValue, "z") { PointInTime = "g1@3" };
        Assert.Equal(date, SearchCursor.TryDecode(date.Encode()));
        var text = date.Encode();
        Assert.Null(SearchCursor.TryDecode(text + "A"));
        Assert.Null(SearchCursor.TryDecode(text[..^2]));
        Assert.Null(SearchCursor.TryDecode("%%%"));

        Assert.Null(SearchCursor.TryDecode(""));
        Assert.Null(SearchCursor.TryDecode("AAAA"));
        Assert.Null(SearchCursor.TryDecode(System.Buffers.Text.Base64Url.EncodeToString("""{"v":1,"s":0,"h":"00","a":["x","y"]}"""u8)));
        Assert.Null(SearchCursor.TryDecode(System.Buffers.Text.Base64Url.EncodeToString("""{"v":2,"s":0,"h":"00","a":[1.0,"y"]}"""u8)));
        Assert.Null(SearchCursor.TryDecode(System.Buffers.Text.Base64Url.EncodeToString("""{"v":1,"s":0,"h":"00","a":[1.0,"y"],"p":3}"""u8)));
        Assert.NotEqual(SearchCursor.HashOf(request), SearchCursor.HashOf(request with { Query = "y" }));
        Assert.NotEqual(SearchCursor.HashOf(request), SearchCursor.HashOf(request with { Filters = [new TermsFilter("agency", ["a"])] }));
    }

    [Fact]
    public void A_float_score_survives_the_cursor()
    {
        const float score = 0.123456789f;
        var cursor = SearchCursor.TryDecode(new SearchCursor(SearchSort.Relevance, 1, score, 0, "a").Encode());
        Assert.Equal(score, (float)cursor!.Score);
    }

    [Fact]
    public void Cursor_check_reports_malformed_and_mismatched_cursors()
    {
        var request = new SearchRequest { Query = "x" };
        var errors = new List<ValidationError>();
        Assert.Null(SearchCursor.Check(request, errors));
        Assert.Empty(errors);

        Assert.Null(SearchCursor.Check(request with { Cursor = "nope" }, errors));
        Assert.Equal("search.cursor.malformed", Assert.Single(errors).Rule);

        errors.Clear();
        var other = new SearchCursor(SearchSort.Relevance, SearchCursor.HashOf(request with { Query = "y" }), 1, 0, "a").Encode();
        Assert.Null(SearchCursor.Check(request with { Cursor = other }, errors));
        Assert.Equal("search.cursor.mismatch", Assert.Single(errors).Rule);

        errors.Clear();
        var mine = new SearchCursor(SearchSort.Relevance, SearchCursor.HashOf(request), 1, 0, "a");
        Assert.Equal(mine, SearchCursor.Check(request with { Cursor = mine.Encode() }, errors));
        Assert.Empty(errors);
    }

    [Fact]
    public void Filters_are_checked_together_and_returned_in_index_terms()
    {
        var errors = new List<ValidationError>();
        var checkedFilters = SearchRequestValidator.CheckFilters(
        [
            new TermsFilter(SearchFields.AccessLevel, ["public", " Secret "]),
            new TermsFilter(SearchFields.Agency, [" G09 "], Exclude: true),
            new YearRangeFilter(2020, 2021),
            new DateRangeFilter(new DateOnly(2024, 1, 1), null),
        ], errors);
        Assert.Empty(errors);
        Assert.Equal(["Public", "Secret"], ((CheckedTermsFilter)checkedFilters[0]).Values);
        Assert.Equal(["G09"], ((CheckedTermsFilter)checkedFilters[1]).Values);
        Assert.True(((CheckedTermsFilter)checkedFilters[1]).Exclude);
        Assert.Equal(new CheckedDateRange(new DateOnly(2020, 1, 1), new DateOnly(2021, 12, 31)), checkedFilters[2]);
        Assert.Equal(new CheckedDateRange(new DateOnly(2024, 1, 1), null), checkedFilters[3]);

        SearchRequestValidator.CheckFilters(
        [
            null!,
            new TermsFilter("nope", ["x"]),
            new TermsFilter(SearchFields.Year, ["20x4"]),
            new YearRangeFilter(2022, 2021),
            new YearRangeFilter(0, null),
            new DateRangeFilter(new DateOnly(2024, 2, 1), new DateOnly(2024, 1, 1)),
        ], errors);
        Assert.Equal(
            ["search.filter.null", "search.filter.field-unknown", "search.filter.value-invalid", "search.filter.range-inverted", "search.filter.year-range", "search.filter.range-inverted"],
            errors.Select(e => e.Rule));
    }

    [Fact]
    public void Documents_are_checked_with_the_engine_limits()
    {
        var longId = new string('a', 600);
        var ok = new SearchDocument { Id = "a", Title = "t" };
        SearchDocumentValidator.Validate([ok, ok with { Id = longId }], new SearchDocumentLimits());

        var ex = Assert.Throws<ArchiveValidationException>(() => SearchDocumentValidator.Validate(
            [ok with { Id = longId, Pages = ["1", "2"] }, null!],
            new SearchDocumentLimits { MaxIdBytes = 512, MaxIdBytesSource = "Elasticsearch's limit", MaxPages = 1, MaxPagesSource = "Option.Max" }));
        Assert.Equal(["search.document.id-too-long", "search.document.too-many-pages", "search.document.null"], ex.Errors.Select(e => e.Rule));
        Assert.Equal("id is longer than 512 UTF-8 bytes (Elasticsearch's limit).", ex.Errors[0].Message);
        Assert.Equal("The document has 2 pages; the index accepts at most 1 (Option.Max).", ex.Errors[1].Message);

        Assert.Equal("search.document.id-required", Assert.Throws<ArchiveValidationException>(() => SearchDocumentValidator.ValidateIds(["a", ""])).Errors[0].Rule);
        Assert.Equal("search.rebuild.id-invalid", Assert.Throws<ArchiveValidationException>(() => SearchDocumentValidator.ValidateRebuildId(" ")).Errors[0].Rule);
    }

    [Fact]
    public void A_document_version_is_never_negative()
    {
        var ok = new SearchDocument { Id = "a", Title = "t" };
        SearchDocumentValidator.Validate([ok, ok with { Version = 0 }, ok with { Version = 7 }], new SearchDocumentLimits());

        var ex = Assert.Throws<ArchiveValidationException>(() => SearchDocumentValidator.Validate([ok, ok with { Version = -1 }], new SearchDocumentLimits()));
        var error = Assert.Single(ex.Errors);
        Assert.Equal(("documents[1].version", "search.document.version-negative"), (error.Field, error.Rule));
    }

    [Fact]
    public void Page_labels_are_one_per_page_short_and_without_control_characters()
    {
        var ok = new SearchDocument { Id = "a", Pages = ["một", "hai"], PageLabels = ["Sheet1", null] };
        SearchDocumentValidator.Validate([ok], new SearchDocumentLimits());

        var ex = Assert.Throws<ArchiveValidationException>(() => SearchDocumentValidator.Validate(
            [ok with { PageLabels = ["Sheet1"] }, ok with { PageLabels = [new string('x', 301), "a\nb"] }],
            new SearchDocumentLimits()));
        Assert.Equal(
            [("documents[0].pageLabels", "search.document.page-labels-count"), ("documents[1].pageLabels[0]", "search.document.page-label"), ("documents[1].pageLabels[1]", "search.document.page-label")],
            ex.Errors.Select(e => (e.Field, e.Rule)));
    }
}
