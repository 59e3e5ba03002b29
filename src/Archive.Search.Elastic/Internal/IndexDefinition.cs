using Elastic.Clients.Elasticsearch;
using Elastic.Clients.Elasticsearch.Analysis;
using Elastic.Clients.Elasticsearch.IndexManagement;
using Elastic.Clients.Elasticsearch.Mapping;

namespace Archive.Search.Elastic.Internal;

/// <summary>
/// Settings, analysis and mapping of the indices the adapter creates. They go into each create-index request (no
/// cluster-wide index template, so nothing outside the adapter's own indices is affected and no template priority
/// can clash with another application's).
/// </summary>
internal static class IndexDefinition
{
    /// <summary>
    /// Version of settings, mapping and document versioning; a live index with another version needs a rebuild (the
    /// health check says so). 2: documents carry their source's version as external version (schema 1 indices hold
    /// internal versions counting writes, which a package version may be below).
    /// </summary>
    public const int SchemaVersion = 2;

    public const string ExactAnalyzer = "archive_vi";
    public const string FoldedAnalyzer = "archive_vi_folded";
    public const string BigramAnalyzer = "archive_vi_bigrams";
    public const string CompositionFilter = "archive_vi_nfc";
    public const string ToneFilter = "archive_vi_tone";
    public const string FoldingFilter = "archive_vi_fold";
    public const string BigramFilter = "archive_vi_bigram";

    /// <summary>Positions between the values of a multi-valued field (pages), so phrases never span two values.</summary>
    public const int ValueGap = 100;

    /// <summary>
    /// The create-index request of a live (<paramref name="rebuildId"/> null) or rebuild index, created together with
    /// its write alias (<paramref name="writeAlias"/>; the search alias <paramref name="alias"/> for the live index).
    /// </summary>
    public static CreateIndexRequest Create(string index, string writeAlias, string alias, ElasticsearchSearchOptions options, string? rebuildId, RebuildLease? lease = null)
    {
        var building = rebuildId is not null;
        var settings = new IndexSettings
        {
            NumberOfShards = options.NumberOfShards,
            Mapping = new MappingLimitSettings { NestedObjects = new MappingLimitSettingsNestedObjects { Limit = options.MaxPagesPerDocument } },
            Similarity = new SettingsSimilarities
            {
                ["default"] = new SettingsSimilarityBm25 { K1 = Round(options.Ranking.K1), B = Round(options.Ranking.B) },
            },
            Analysis = Analysis(),
        };

        if (building)
        {
            // Bulk loading: no periodic refresh and no replicas; both are restored before the alias switch.
            settings.RefreshInterval = Duration.MinusOne;
            settings.NumberOfReplicas = 0;
        }
        else if (options.NumberOfReplicas is { } replicas)
        {
            settings.NumberOfReplicas = replicas;
        }

        return new CreateIndexRequest(index)
        {
            Settings = settings,
            Mappings = Mapping(alias, rebuildId, lease),
            Aliases = new Dictionary<Name, Alias> { [writeAlias] = new Alias { IsWriteIndex = true } },
        };
    }

    public static IndexSettingsAnalysis Analysis() => new()
    {
        CharFilters = new CharFilters
        {
            [CompositionFilter] = new MappingCharFilter { Mappings = VietnameseRules.CompositionRules.ToList() },
            [ToneFilter] = new MappingCharFilter { Mappings = VietnameseRules.ToneRules.ToList() },
            [FoldingFilter] = new MappingCharFilter { Mappings = VietnameseRules.FoldingRules.ToList() },
        },
        TokenFilters = new TokenFilters
        {
            [BigramFilter] = new ShingleTokenFilter { MinShingleSize = 2, MaxShingleSize = 2, OutputUnigrams = false, OutputUnigramsIfNoShingles = false },
        },
        Analyzers = new Analyzers
        {
            [ExactAnalyzer] = new CustomAnalyzer
            {
                Tokenizer = "standard",
                CharFilter = [CompositionFilter, ToneFilter],
                Filter = ["lowercase"],
                PositionIncrementGap = ValueGap,
            },
            [FoldedAnalyzer] = new CustomAnalyzer
            {
                Tokenizer = "standard",
                CharFilter = [CompositionFilter, ToneFilter, FoldingFilter],
                Filter = ["lowercase"],
                PositionIncrementGap = ValueGap,
            },
            [BigramAnalyzer] = new CustomAnalyzer
            {
                Tokenizer = "standard",
                CharFilter = [CompositionFilter, ToneFilter, FoldingFilter],
                Filter = ["lowercase", BigramFilter],
                PositionIncrementGap = ValueGap,
            },
        },
    };

    public static TypeMapping Mapping(string alias, string? rebuildId, RebuildLease? lease = null)
    {
        var exact = new Properties();
        foreach (var name in SearchFields.Filterable)
        {
            exact[name] = new KeywordProperty();
        }

        exact["tag"] = new FlattenedProperty();


        return new TypeMapping
        {
            Dynamic = DynamicMapping.Strict,
            Meta = Meta(alias, rebuildId, lease),
            Source = new SourceField { Excludes = [Fields.Meta.Accented, Fields.Body.Accented] },
            Properties = new Properties
            {
                [Fields.Id] = new KeywordProperty(),
                [Fields.Title.Accented] = TextGroupProperty(),
                [Fields.Subject.Accented] = TextGroupProperty(),
                [Fields.Meta.Accented] = TextGroupProperty(),
                [Fields.Body.Accented] = TextGroupProperty(),
                [Fields.Text] = new TextProperty { Analyzer = FoldedAnalyzer },
                [Fields.Pages] = new NestedProperty
                {
                    Properties = new Properties { ["text"] = new TextProperty { Analyzer = FoldedAnalyzer } },
                },
                [Fields.Date] = new DateProperty { Format = "strict_date" },
                ["f"] = new ObjectProperty { Properties = exact },
                [Fields.Source] = new ObjectProperty { Enabled = false },
            },
        };
    }

    /// <summary>
    /// The mapping's <c>_meta</c>: <c>{"archive": {schema, alias, rebuildId?, lease?}}</c>. A mapping update replaces the
    /// whole <c>_meta</c>, so a lease renewal sends all of it.
    /// </summary>
    public static Dictionary<string, object> Meta(string alias, string? rebuildId, RebuildLease? lease)
    {
        var meta = new Dictionary<string, object>
        {
            ["schema"] = SchemaVersion,
            ["alias"] = alias,
        };
        if (rebuildId is not null)
        {
            meta["rebuildId"] = rebuildId;
        }

        if (lease is not null)
        {
            meta["lease"] = lease.ToMeta();
        }

        return new Dictionary<string, object> { ["archive"] = meta };
    }

    private static TextProperty TextGroupProperty() => new()
    {
        Analyzer = ExactAnalyzer,
        PositionIncrementGap = ValueGap,
        Fields = new Properties
        {
            ["f"] = new TextProperty { Analyzer = FoldedAnalyzer, PositionIncrementGap = ValueGap },
            ["s"] = new TextProperty { Analyzer = BigramAnalyzer, PositionIncrementGap = ValueGap },
        },
    };

    /// <summary>A float option as a short decimal (1.2f → 1.2, not 1.2000000476837158).</summary>
    public static double Round(float value) => Math.Round((double)value, 6);
}

/// <summary>
/// The marker of a rebuild in progress, in its index's <c>_meta.archive.lease</c>: who holds it and until when. The
/// holder renews it while the rebuild is open; a rebuild whose lease has run out for longer than
/// <see cref="ElasticsearchSearchOptions.AbandonedRebuildRetention"/> is deleted by any host (see
/// <see cref="ElasticsearchSearchIndex"/>).
/// </summary>
internal sealed record RebuildLease(string Holder, DateTimeOffset Until)
{
    public Dictionary<string, object> ToMeta() => new()
    {
        ["holder"] = Holder,
        ["until"] = Until.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The lease in a stored <c>_meta.archive</c> object, or null.</summary>
    public static RebuildLease? From(System.Text.Json.JsonElement archive)
    {
        if (archive.ValueKind != System.Text.Json.JsonValueKind.Object || !archive.TryGetProperty("lease", out var lease) || lease.ValueKind != System.Text.Json.JsonValueKind.Object
            || !lease.TryGetProperty("until", out var until) || until.ValueKind != System.Text.Json.JsonValueKind.String
            || !DateTimeOffset.TryParse(until.GetString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at))
        {
            return null;
        }

        return new RebuildLease(lease.TryGetProperty("holder", out var h) && h.ValueKind == System.Text.Json.JsonValueKind.String ? h.GetString()! : "", at);
    }
}
