using Archive;
using Archive.Search;
using Archive.Search.Lucene;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the embedded Lucene.NET search index.</summary>
public static class LuceneSearchServiceCollectionExtensions
{
    /// <summary>
    /// Uses the embedded Lucene.NET index as <see cref="ISearchIndex"/> (one singleton per container; its rebuild
    /// capability is obtained through <see cref="ISearchIndex.GetService"/>). Replaces a search index registered before (the last search registration
    /// wins). Options are validated when the host starts.
    /// </summary>
    /// <param name="builder">The Archive builder.</param>
    /// <param name="configure">Sets <see cref="LuceneSearchOptions.IndexPath"/> and, optionally, the rest.</param>
    public static IArchiveBuilder AddLuceneSearch(this IArchiveBuilder builder, Action<LuceneSearchOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<LuceneSearchOptions, LuceneSearchOptionsValidator>().Configure(configure);
        services.Replace(ServiceDescriptor.Singleton(sp => new LuceneSearchIndex(
            sp.GetRequiredService<IOptions<LuceneSearchOptions>>().Value,
            sp.GetService<ILogger<LuceneSearchIndex>>())));
        services.Replace(ServiceDescriptor.Singleton<ISearchIndex>(sp => sp.GetRequiredService<LuceneSearchIndex>()));
        return builder;
    }
}
