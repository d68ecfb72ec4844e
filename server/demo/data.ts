// Reference lists the demo draws from: French names, Île-de-France towns with
// approximate coordinates, street names, company name parts and phone numbers.
import type { Rng } from './rng.ts';

export const FIRST_NAMES_F = [
	'Claire',
	'Sophie',
	'Isabelle',
	'Nathalie',
	'Camille',
	'Julie',
	'Émilie',
	'Aurélie',
	'Céline',
	'Sandrine',
	'Valérie',
	'Stéphanie',
	'Laetitia',
	'Marion',
	'Pauline',
	'Chloé',
	'Manon',
	'Léa',
	'Anne',
	'Catherine',
	'Hélène',
	'Florence',
	'Delphine',
	'Agnès',
	'Sylvie',
	'Martine',
	'Mélanie',
	'Caroline',
	'Élodie',
	'Virginie',
	'Amandine',
	'Inès'
] as const;

export const FIRST_NAMES_M = [
	'Julien',
	'Nicolas',
	'Thomas',
	'Sébastien',
	'Mathieu',
	'Alexandre',
	'Guillaume',
	'Romain',
	'Maxime',
	'Antoine',
	'Pierre',
	'François',
	'Laurent',
	'Olivier',
	'Christophe',
	'Stéphane',
	'Frédéric',
	'David',
	'Éric',
	'Philippe',
	'Vincent',
	'Jérôme',
	'Cédric',
	'Arnaud',
	'Benoît',
	'Damien',
	'Karim',
	'Mehdi',
	'Yannick',
	'Hugo',
	'Lucas',
	'Théo'
] as const;

export const LAST_NAMES = [
	'Martin',
	'Bernard',
	'Dubois',
	'Thomas',
	'Robert',
	'Richard',
	'Petit',
	'Durand',
	'Leroy',
	'Moreau',
	'Simon',
	'Laurent',
	'Lefebvre',
	'Michel',
	'Garcia',
	'David',
	'Bertrand',
	'Roux',
	'Vincent',
	'Fournier',
	'Morel',
	'Girard',
	'André',
	'Lefèvre',
	'Mercier',
	'Dupont',
	'Lambert',
	'Bonnet',
	'François',
	'Martinez',
	'Legrand',
	'Garnier',
	'Faure',
	'Rousseau',
	'Blanc',
	'Guérin',
	'Muller',
	'Henry',
	'Roussel',
	'Nicolas',
	'Perrin',
	'Morin',
	'Mathieu',
	'Clément',
	'Gauthier',
	'Dumont',
	'Lopez',
	'Fontaine',
	'Chevalier',
	'Robin',
	'Masson',
	'Sanchez',
	'Gérard',
	'Nguyen',
	'Boyer',
	'Denis',
	'Lemaire',
	'Duval',
	'Joly',
	'Gautier',
	'Roger',
	'Roche',
	'Roy',
	'Noël',
	'Meyer',
	'Lucas',
	'Meunier',
	'Jean',
	'Perez',
	'Marchand',
	'Dufour',
	'Blanchard',
	'Barbier',
	'Brun',
	'Benoît',
	'Leclerc',
	'Renaud',
	'Colin',
	'Arnaud',
	'Giraud',
	'Quarré',
	'Nabi',
	'Haddad',
	'Benali',
	'Da Silva',
	'Ferreira',
	'Caron',
	'Picard'
] as const;

export interface Town {
	readonly name: string;
	readonly postcode: string;
	readonly lat: number;
	readonly lng: number;
}

export const TOWNS: readonly Town[] = [
	{ name: 'Boulogne-Billancourt', postcode: '92100', lat: 48.8397, lng: 2.2399 },
	{ name: 'Paris 8e', postcode: '75008', lat: 48.8727, lng: 2.3125 },
	{ name: 'Paris 11e', postcode: '75011', lat: 48.8574, lng: 2.3795 },
	{ name: 'Paris 15e', postcode: '75015', lat: 48.8421, lng: 2.2927 },
	{ name: 'Paris 13e', postcode: '75013', lat: 48.8322, lng: 2.3561 },
	{ name: 'Paris 17e', postcode: '75017', lat: 48.8835, lng: 2.3219 },
	{ name: 'Issy-les-Moulineaux', postcode: '92130', lat: 48.8245, lng: 2.2743 },
	{ name: 'Nanterre', postcode: '92000', lat: 48.8924, lng: 2.2069 },
	{ name: 'Courbevoie', postcode: '92400', lat: 48.8973, lng: 2.2522 },
	{ name: 'Puteaux', postcode: '92800', lat: 48.8842, lng: 2.2384 },
	{ name: 'Levallois-Perret', postcode: '92300', lat: 48.8953, lng: 2.2874 },
	{ name: 'Rueil-Malmaison', postcode: '92500', lat: 48.8778, lng: 2.1803 },
	{ name: 'Saint-Denis', postcode: '93200', lat: 48.9362, lng: 2.3574 },
	{ name: 'Montreuil', postcode: '93100', lat: 48.8638, lng: 2.4485 },
	{ name: 'Bobigny', postcode: '93000', lat: 48.9086, lng: 2.4397 },
	{ name: 'Créteil', postcode: '94000', lat: 48.7904, lng: 2.4556 },
	{ name: 'Vincennes', postcode: '94300', lat: 48.8474, lng: 2.4394 },
	{ name: 'Ivry-sur-Seine', postcode: '94200', lat: 48.8157, lng: 2.3849 },
	{ name: 'Vitry-sur-Seine', postcode: '94400', lat: 48.7875, lng: 2.3928 },
	{ name: 'Versailles', postcode: '78000', lat: 48.8049, lng: 2.1204 },
	{ name: 'Saint-Germain-en-Laye', postcode: '78100', lat: 48.8989, lng: 2.0938 },
	{ name: 'Montigny-le-Bretonneux', postcode: '78180', lat: 48.7711, lng: 2.0333 },
	{ name: 'Massy', postcode: '91300', lat: 48.7309, lng: 2.2713 },
	{ name: 'Évry-Courcouronnes', postcode: '91000', lat: 48.6294, lng: 2.441 },
	{ name: 'Palaiseau', postcode: '91120', lat: 48.7145, lng: 2.2457 },
	{ name: 'Cergy', postcode: '95000', lat: 49.0364, lng: 2.0761 },
	{ name: 'Argenteuil', postcode: '95100', lat: 48.9472, lng: 2.2467 },
	{ name: 'Roissy-en-France', postcode: '95700', lat: 49.0036, lng: 2.5167 },
	{ name: 'Marne-la-Vallée', postcode: '77420', lat: 48.8485, lng: 2.6017 },
	{ name: 'Meaux', postcode: '77100', lat: 48.9601, lng: 2.8788 },
	{ name: 'Melun', postcode: '77000', lat: 48.5421, lng: 2.6554 },
	{ name: 'Clichy', postcode: '92110', lat: 48.9045, lng: 2.3056 }
];

export const STREETS = [
	'rue de la République',
	'avenue du Général-Leclerc',
	'boulevard Jean-Jaurès',
	'rue Victor-Hugo',
	'avenue de la Division-Leclerc',
	'rue Pasteur',
	'rue du Château',
	'avenue Charles-de-Gaulle',
	'rue de Paris',
	'quai de Stalingrad',
	'rue des Entrepreneurs',
	'allée des Érables',
	'rue Gambetta',
	'avenue Jean-Moulin',
	'rue de Verdun',
	'boulevard de la Libération',
	'rue Anatole-France',
	'rue du Moulin',
	'impasse des Tilleuls',
	'avenue Pierre-Brossolette',
	'rue Émile-Zola',
	'rue Louis-Blériot',
	'parc des Érables'
] as const;

export const COMPANY_PREFIXES = [
	'Cabinet',
	'Groupe',
	'Atelier',
	'Maison',
	'Société',
	'Laboratoire',
	'Agence',
	'Clinique',
	'Études',
	'Transports',
	'Imprimerie',
	'Menuiserie',
	'Pharmacie',
	'Garage',
	'Boulangerie'
] as const;

export const COMPANY_CORES = [
	'Lumière',
	'Horizon',
	'Saint-Clair',
	'Val de Seine',
	'Arc-en-Ciel',
	'Belvédère',
	'Orée',
	'Île-de-France',
	'Marronniers',
	'Grand Parc',
	'Rive Gauche',
	'Seine Ouest',
	'Étoile',
	'Montsouris',
	'Bois-Colombes',
	'Trois Chênes',
	'Aurore',
	'Cèdres',
	'Vallée',
	'Mont-Valérien',
	'Lavoisier',
	'Pasteur',
	'Eiffel',
	'Colbert',
	'Voltaire',
	'Diderot',
	'Mansart',
	'Rabelais'
] as const;

export const COMPANY_SUFFIXES = [
	'SARL',
	'SAS',
	'SA',
	'& Associés',
	'Conseil',
	'Services',
	'Logistique',
	'Immobilier',
	'Expertise',
	'Distribution',
	'Santé',
	'Avocats',
	'Architectes',
	'Notaires',
	'Industrie'
] as const;

export const SITE_LABELS = [
	'Siège',
	'Agence',
	'Entrepôt',
	'Atelier',
	'Bureau annexe',
	'Dépôt'
] as const;

export const JOB_TITLES = [
	'Gérant',
	'Directrice administrative',
	'Responsable informatique',
	'Assistante de direction',
	'Office manager',
	'Comptable',
	'Directeur technique',
	'Secrétaire générale',
	'Responsable des achats',
	'Chargé de communication',
	'Responsable logistique'
] as const;

/** ASCII, lower-case form of a name for logins and e-mail addresses. */
export function slug(text: string): string {
	return text
		.normalize('NFD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '');
}

function pairs(rng: Rng): string {
	return Array.from({ length: 4 }, () => String(rng.int(0, 99)).padStart(2, '0')).join(' ');
}

/** An Île-de-France landline: 01 xx xx xx xx. */
export function landline(rng: Rng): string {
	return `01 ${pairs(rng)}`;
}

export function mobilePhone(rng: Rng): string {
	return `0${rng.pick(['6', '7'])} ${pairs(rng)}`;
}
