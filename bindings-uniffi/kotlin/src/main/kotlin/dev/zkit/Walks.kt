// Written by scripts/build-mobile (`uniffi-bindgen kotlin-walks`) from the operation tables: do not edit.
package dev.zkit

import dev.zkit.model.*
import kotlinx.coroutines.flow.Flow

/** The pages of the walk as a cold [Flow]: each page is fetched when the collector reaches it. */
fun ListApiKeysPages.pages(): Flow<ApiKeyPage> = pageFlow(this::nextPage)

/** The items of every page of the walk as a cold [Flow], fetched a page at a time. */
fun ListApiKeysPages.items(): Flow<ApiKey> = itemFlow(this::nextPage) { it.items }

/** The pages of the walk as a cold [Flow]: each page is fetched when the collector reaches it. */
fun ListOrganizationsPages.pages(): Flow<OrganizationPage> = pageFlow(this::nextPage)

/** The items of every page of the walk as a cold [Flow], fetched a page at a time. */
fun ListOrganizationsPages.items(): Flow<Organization> = itemFlow(this::nextPage) { it.items }

/** The pages of the walk as a cold [Flow]: each page is fetched when the collector reaches it. */
fun ListMembersPages.pages(): Flow<MemberPage> = pageFlow(this::nextPage)

/** The items of every page of the walk as a cold [Flow], fetched a page at a time. */
fun ListMembersPages.items(): Flow<Member> = itemFlow(this::nextPage) { it.items }

/** The pages of the walk as a cold [Flow]: each page is fetched when the collector reaches it. */
fun ListDevicesPages.pages(): Flow<DevicePage> = pageFlow(this::nextPage)

/** The items of every page of the walk as a cold [Flow], fetched a page at a time. */
fun ListDevicesPages.items(): Flow<Device> = itemFlow(this::nextPage) { it.items }

/** The pages of the walk as a cold [Flow]: each page is fetched when the collector reaches it. */
fun ListVirtualServersPages.pages(): Flow<VirtualServerPage> = pageFlow(this::nextPage)

/** The items of every page of the walk as a cold [Flow], fetched a page at a time. */
fun ListVirtualServersPages.items(): Flow<VirtualServer> = itemFlow(this::nextPage) { it.items }

/** The pages of the walk as a cold [Flow]: each page is fetched when the collector reaches it. */
fun ListMlJobsPages.pages(): Flow<MlJobPage> = pageFlow(this::nextPage)

/** The items of every page of the walk as a cold [Flow], fetched a page at a time. */
fun ListMlJobsPages.items(): Flow<MlJob> = itemFlow(this::nextPage) { it.items }

/** The pages of the walk as a cold [Flow]: each page is fetched when the collector reaches it. */
fun ListInferencesPages.pages(): Flow<InferencePage> = pageFlow(this::nextPage)

/** The items of every page of the walk as a cold [Flow], fetched a page at a time. */
fun ListInferencesPages.items(): Flow<Inference> = itemFlow(this::nextPage) { it.items }

/** The pages of the walk as a cold [Flow]: each page is fetched when the collector reaches it. */
fun ListFineTuningJobsPages.pages(): Flow<FineTuningJobPage> = pageFlow(this::nextPage)

/** The items of every page of the walk as a cold [Flow], fetched a page at a time. */
fun ListFineTuningJobsPages.items(): Flow<FineTuningJob> = itemFlow(this::nextPage) { it.items }

/** The pages of the walk as a cold [Flow]: each page is fetched when the collector reaches it. */
fun ListWebhookEndpointsPages.pages(): Flow<WebhookEndpointPage> = pageFlow(this::nextPage)

/** The items of every page of the walk as a cold [Flow], fetched a page at a time. */
fun ListWebhookEndpointsPages.items(): Flow<WebhookEndpoint> = itemFlow(this::nextPage) { it.items }

/** The pages of the walk as a cold [Flow]: each page is fetched when the collector reaches it. */
fun ListInvoicesPages.pages(): Flow<InvoicePage> = pageFlow(this::nextPage)

/** The items of every page of the walk as a cold [Flow], fetched a page at a time. */
fun ListInvoicesPages.items(): Flow<Invoice> = itemFlow(this::nextPage) { it.items }

/** The pages of the walk as a cold [Flow]: each page is fetched when the collector reaches it. */
fun ListSlaAlertRulesPages.pages(): Flow<SlaAlertRulePage> = pageFlow(this::nextPage)

/** The items of every page of the walk as a cold [Flow], fetched a page at a time. */
fun ListSlaAlertRulesPages.items(): Flow<SlaAlertRule> = itemFlow(this::nextPage) { it.items }

/** The pages of the walk as a cold [Flow]: each page is fetched when the collector reaches it. */
fun ListSlaBreachesPages.pages(): Flow<SlaBreachPage> = pageFlow(this::nextPage)

/** The items of every page of the walk as a cold [Flow], fetched a page at a time. */
fun ListSlaBreachesPages.items(): Flow<SlaBreach> = itemFlow(this::nextPage) { it.items }

/** The pages of the walk as a cold [Flow]: each page is fetched when the collector reaches it. */
fun ListFleetAlertsPages.pages(): Flow<FleetAlertPage> = pageFlow(this::nextPage)

/** The items of every page of the walk as a cold [Flow], fetched a page at a time. */
fun ListFleetAlertsPages.items(): Flow<FleetAlert> = itemFlow(this::nextPage) { it.items }
