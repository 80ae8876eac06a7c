"""The GraphQL documents Pactes sends to DS's API v2 (``pactes/ds/schema.graphql``, copied from DS with its provenance).

Written for DS's schema and checked against it by the tests (the fake server executes them with graphql-core): a
wrong field or type condition fails there as it would on DS. Values come as variables, never pasted into the text.
"""

from __future__ import annotations

# The champs of a dossier: every kind whose value Pactes reads, with its typed value beside ``stringValue``.
CHAMP_FIELDS = """
fragment ChampFields on Champ {
  __typename
  id
  champDescriptorId
  label
  stringValue
  ... on DateChamp { date }
  ... on YesNoChamp { yesNo: value }
  ... on CheckboxChamp { checked: value }
  ... on MultipleDropDownListChamp { values }
  ... on EpciChamp { epci { code name } departement { code name } }
  ... on CommuneChamp { commune { code name postalCode } departement { code name } }
  ... on SiretChamp { etablissement { siret entreprise { siren raisonSociale } } }
}
"""

DESCRIPTOR_FIELDS = """
fragment DescriptorFields on ChampDescriptor {
  __typename
  id
  label
  required
}
"""

DEMARCHE_QUERY = (
    """
query getDemarcheDescriptors($demarcheNumber: Int!) {
  demarche(number: $demarcheNumber) {
    number
    title
    revisions {
      id
      champDescriptors {
        ...DescriptorFields
        ... on RepetitionChampDescriptor { champDescriptors { ...DescriptorFields } }
      }
    }
  }
}
"""
    + DESCRIPTOR_FIELDS
)

DOSSIERS_QUERY = (
    """
query getDossiers($demarcheNumber: Int!, $first: Int, $after: String, $updatedSince: ISO8601DateTime) {
  demarche(number: $demarcheNumber) {
    number
    dossiers(first: $first, after: $after, updatedSince: $updatedSince) {
      pageInfo { hasNextPage endCursor }
      nodes {
        number
        state
        dateDepot
        datePassageEnInstruction
        dateTraitement
        dateDerniereModification
        motivation
        demandeur {
          __typename
          ... on PersonneMorale {
            siret
            adresse
            address { label }
            association { rna titre }
            entreprise { siren raisonSociale nomCommercial formeJuridique formeJuridiqueCode }
          }
          ... on PersonnePhysique { nom prenom }
        }
        champs {
          ...ChampFields
          ... on RepetitionChamp { rows { id champs { ...ChampFields } } }
        }
      }
    }
  }
}
"""
    + CHAMP_FIELDS
)
