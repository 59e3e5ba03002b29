using Archive.Search.Elastic.Internal;
using Elastic.Clients.Elasticsearch.Security;
using Elastic.Transport;

namespace Archive.Search.Elastic;

/// <summary>The privileges the adapter needs, checked at first use and by the health check.</summary>
public sealed partial class ElasticsearchSearchIndex
{
    /// <summary>Cluster privileges the adapter needs: <c>monitor</c> (cluster health, for the health check).</summary>
    internal static readonly string[] ClusterPrivileges = ["monitor"];

    /// <summary>
    /// Index privileges the adapter needs on <c>ALIAS*</c> (the alias, <c>ALIAS-initial</c>, <c>ALIAS-rb-*</c> and the
    /// rebuild aliases): <c>create_index</c> (new indices), <c>index</c> and <c>delete</c> (documents), <c>read</c>
    /// (search, count), <c>manage</c> (aliases, settings, mappings, refresh, deleting replaced and abandoned indices).
    /// </summary>
    internal static readonly string[] IndexPrivileges = ["create_index", "index", "delete", "read", "manage"];

    /// <summary>
    /// The privileges the cluster user lacks, as "monitor (cluster), manage on ALIAS*", or null when it has all of them
    /// or security is not enabled (Elasticsearch answers <c>_has_privileges</c> then with HTTP 500
    /// <c>illegal_state_exception</c> "Security is not enabled but a security rest handler is registered",
    /// <c>x-pack/plugin/security/…/SecurityBaseRestHandler.java</c>; a cluster without the security plugin with 400/404).
    /// </summary>
    internal async Task<string?> MissingPrivilegesAsync(string operation, CancellationToken cancellationToken)
    {
        var request = new HasPrivilegesRequest
        {
            Cluster = ClusterPrivileges.Select(p => new ClusterPrivilege(p)).ToList(),
            Index = [new IndexPrivilegesCheck { Names = (global::Elastic.Clients.Elasticsearch.Indices)(Alias + "*"), Privileges = IndexPrivileges.Select(p => new IndexPrivilege(p)).ToList() }],
        };
        HasPrivilegesResponse response;
        try
        {
            response = await Call(() => _client.Security.HasPrivilegesAsync(request, cancellationToken), operation).ConfigureAwait(false);
        }
        catch (ArchiveSearchException e) when (e.InnerException is TransportException { ApiCallDetails: { } details } t && SecurityOff(details.HttpStatusCode, t.Message + " " + BodyOf(details)))
        {
            return null; // a client configured to throw
        }

        if (!Errors.Ok(response))
        {
            if (SecurityOff(Errors.Status(response), response.ElasticsearchServerError?.Error?.Reason))
            {
                return null;
            }

            throw Errors.From(response, Alias, operation);
        }

        if (response.HasAllRequested)
        {
            return null;
        }

        var missing = new List<string>();
        missing.AddRange(ClusterPrivileges.Where(p => response.Cluster is null || !response.Cluster.TryGetValue(p, out var has) || !has).Select(p => p + " (cluster)"));
        var granted = response.Index?.Values.FirstOrDefault();
        missing.AddRange(IndexPrivileges.Where(p => granted is null || !granted.TryGetValue(p, out var has) || !has).Select(p => $"{p} on {Alias}*"));
        return $"the Elasticsearch user '{response.Username}' lacks {string.Join(", ", missing)} (the adapter needs cluster privilege {string.Join(", ", ClusterPrivileges)} and index privileges {string.Join(", ", IndexPrivileges)} on {Alias}*)";
    }

    private static bool SecurityOff(int? status, string? reason)
        => status is 400 or 404
            || (status == 500 && reason is not null && (reason.Contains("Security is not enabled", StringComparison.Ordinal) || reason.Contains("Security must be explicitly enabled", StringComparison.Ordinal)));

    private static string BodyOf(ApiCallDetails details)
        => details.ResponseBodyInBytes is { } body ? System.Text.Encoding.UTF8.GetString(body) : "";
}
