// What the demo tickets are about: for each category, realistic French titles with a
// description, the solution written at closure, the tasks a technician reports and
// the skill a technician needs to be sent on site.

export interface TicketTemplate {
	readonly title: string;
	readonly description: string;
	readonly solution: string;
	readonly tasks: readonly string[];
	/** Whether the ticket is a service request rather than an incident. */
	readonly request?: boolean;
}

export interface CategorySpec {
	/** Our key; mapped to the domain taxonomy's category ids in tickets.ts. */
	readonly key: CategoryKey;
	readonly label: string;
	readonly skill: Skill;
	/** Share of this category's tickets needing a technician on site. */
	readonly onSiteRate: number;
	readonly templates: readonly TicketTemplate[];
}

export const SKILLS = [
	'réseau', 'Wi-Fi', 'imprimante', 'serveur', 'téléphonie', 'poste de travail',
	'messagerie', 'sécurité', 'sauvegarde', 'logiciel'
] as const;
export type Skill = (typeof SKILLS)[number];

export const CATEGORY_KEYS = [
	'workstation', 'printer', 'network', 'wifi', 'telephony', 'server', 'software', 'licence',
	'email', 'account'
] as const;
export type CategoryKey = (typeof CATEGORY_KEYS)[number];

const t = (
	title: string,
	description: string,
	solution: string,
	tasks: readonly string[],
	request = false
): TicketTemplate => ({ title, description, solution, tasks, request });

export const CATEGORIES: readonly CategorySpec[] = [
	{
		key: 'workstation', label: 'Poste de travail', skill: 'poste de travail', onSiteRate: 0.45,
		templates: [
			t('PC ne démarre plus', 'Le poste de l’accueil reste sur écran noir après le logo, ventilateur qui tourne en continu.', 'Alimentation défectueuse remplacée, poste redémarré et contrôlé.', ['Diagnostic matériel', 'Remplacement de l’alimentation', 'Test de démarrage et des périphériques']),
			t('Écran bleu au démarrage', 'Écran bleu « CRITICAL_PROCESS_DIED » depuis la mise à jour de cette nuit.', 'Mise à jour défaillante désinstallée, pilotes réinstallés.', ['Démarrage en mode sans échec', 'Désinstallation de la mise à jour KB', 'Réinstallation des pilotes chipset']),
			t('Lenteurs importantes sur le poste comptable', 'Ouverture de session très longue, Sage met plusieurs minutes à s’ouvrir.', 'Disque remplacé par un SSD, système cloné, performances rétablies.', ['Analyse des performances', 'Clonage du disque vers SSD', 'Vérification de Sage']),
			t('Installation d’un nouveau poste', 'Arrivée d’une collaboratrice lundi : préparer un portable avec les logiciels habituels.', 'Poste préparé, joint au domaine, logiciels et imprimantes installés.', ['Préparation du master', 'Jonction au domaine', 'Installation des logiciels métier', 'Configuration des imprimantes'], true),
			t('Clavier et souris sans fil ne répondent plus', 'Plus aucune réaction du clavier malgré le changement de piles.', 'Récepteur USB remplacé, appairage refait.', ['Test sur un autre port', 'Remplacement du kit clavier-souris']),
			t('Double écran non détecté', 'Le second écran reste noir depuis le déménagement du bureau.', 'Câble DisplayPort remplacé, affichage étendu configuré.', ['Contrôle des câbles', 'Configuration de l’affichage'])
		]
	},
	{
		key: 'printer', label: 'Imprimante', skill: 'imprimante', onSiteRate: 0.5,
		templates: [
			t('Imprimante du 2e étage hors ligne', 'Plus personne ne peut imprimer sur la multifonction du 2e, elle apparaît hors ligne.', 'Adresse IP de l’imprimante réservée en DHCP, file d’impression recréée.', ['Vérification réseau de l’imprimante', 'Réservation DHCP', 'Recréation de la file sur le serveur']),
			t('Bourrage papier à répétition', 'Bourrage systématique dans le bac 2, message « ouvrir capot C ».', 'Rouleaux d’entraînement du bac 2 remplacés.', ['Nettoyage du circuit papier', 'Remplacement des rouleaux', 'Impression de test']),
			t('Numérisation vers e-mail impossible', 'Le scan vers mail renvoie une erreur d’authentification SMTP.', 'Compte SMTP mis à jour avec un mot de passe d’application.', ['Contrôle des paramètres SMTP', 'Création d’un mot de passe d’application']),
			t('Traînées sur les impressions couleur', 'Traînées magenta sur toutes les pages couleur.', 'Tambour magenta remplacé.', ['Impression de la page de diagnostic', 'Remplacement du tambour']),
			t('Installation d’une nouvelle multifonction', 'Livraison d’une multifonction Ricoh pour le service commercial, à installer et déployer.', 'Multifonction installée, déployée par GPO, carnet d’adresses importé.', ['Déballage et mise en place', 'Paramétrage réseau', 'Déploiement par GPO'], true)
		]
	},
	{
		key: 'network', label: 'Réseau', skill: 'réseau', onSiteRate: 0.55,
		templates: [
			t('Plus d’accès Internet sur tout le site', 'Aucun poste n’accède à Internet depuis 9 h, la box opérateur clignote.', 'Lien opérateur rétabli après intervention de l’opérateur, pare-feu redémarré.', ['Diagnostic du lien WAN', 'Ouverture d’un ticket opérateur', 'Contrôle du pare-feu']),
			t('Switch de la baie qui redémarre', 'Coupures réseau de quelques minutes plusieurs fois par jour au 1er étage.', 'Switch défectueux remplacé, configuration restaurée.', ['Analyse des journaux du switch', 'Remplacement du switch', 'Restauration de la configuration']),
			t('Prise réseau inactive', 'La prise murale du bureau 12 ne donne pas de réseau.', 'Brassage corrigé dans la baie, prise testée.', ['Test de la prise au testeur', 'Correction du brassage']),
			t('VPN nomade qui ne se connecte plus', 'Les commerciaux n’arrivent plus à se connecter au VPN depuis ce matin.', 'Certificat du VPN SSL renouvelé et déployé.', ['Analyse des journaux du pare-feu', 'Renouvellement du certificat']),
			t('Création d’un VLAN pour la téléphonie', 'Séparer la téléphonie IP du réseau bureautique.', 'VLAN voix créé, ports des téléphones reconfigurés.', ['Création du VLAN', 'Configuration des ports', 'Mise à jour du DHCP'], true)
		]
	},
	{
		key: 'wifi', label: 'Wi-Fi', skill: 'Wi-Fi', onSiteRate: 0.5,
		templates: [
			t('Wi-Fi très instable en salle de réunion', 'Déconnexions fréquentes en salle de réunion, visioconférences coupées.', 'Borne supplémentaire installée, canaux réajustés.', ['Mesure de couverture', 'Ajout d’une borne', 'Réglage des canaux']),
			t('Réseau invité à mettre en place', 'Besoin d’un Wi-Fi invité isolé pour les visiteurs avec mot de passe hebdomadaire.', 'SSID invité créé sur un VLAN isolé avec portail.', ['Création du SSID invité', 'Isolation VLAN', 'Test depuis un poste visiteur'], true),
			t('Borne Wi-Fi éteinte', 'La borne de l’open space ne s’allume plus.', 'Injecteur PoE remplacé.', ['Contrôle de l’alimentation PoE', 'Remplacement de l’injecteur']),
			t('Mot de passe Wi-Fi à changer', 'Départ d’un salarié, changer la clé du Wi-Fi interne.', 'Clé WPA2 changée et communiquée aux utilisateurs.', ['Changement de la clé', 'Reconnexion des postes fixes'], true)
		]
	},
	{
		key: 'telephony', label: 'Téléphonie', skill: 'téléphonie', onSiteRate: 0.35,
		templates: [
			t('Standard injoignable de l’extérieur', 'Les appelants tombent sur un message « numéro non attribué ».', 'Trunk SIP réenregistré auprès de l’opérateur.', ['Contrôle du trunk SIP', 'Réenregistrement', 'Tests d’appels entrants']),
			t('Poste téléphonique sans tonalité', 'Le poste de la comptabilité n’a plus de tonalité.', 'Poste réinitialisé et reprovisionné.', ['Réinitialisation du poste', 'Provisionnement']),
			t('Messagerie vocale à configurer', 'Configurer le renvoi vers messagerie après 4 sonneries pour le service RH.', 'Règle de renvoi et message d’accueil configurés.', ['Configuration du renvoi', 'Enregistrement de l’annonce'], true),
			t('Écho pendant les appels', 'Les interlocuteurs entendent un écho sur tous les appels sortants.', 'QoS configurée sur le pare-feu pour le flux voix.', ['Mesure de gigue', 'Configuration de la QoS'])
		]
	},
	{
		key: 'server', label: 'Serveur', skill: 'serveur', onSiteRate: 0.4,
		templates: [
			t('Serveur de fichiers inaccessible', 'Les lecteurs réseau S: et P: sont déconnectés sur tous les postes.', 'Service SMB redémarré, disque système libéré.', ['Connexion à la console', 'Libération d’espace disque', 'Redémarrage des services']),
			t('Alerte disque sur le NAS', 'Le NAS bipe et indique un volume dégradé.', 'Disque défaillant remplacé, reconstruction RAID terminée.', ['Identification du disque', 'Remplacement à chaud', 'Suivi de la reconstruction']),
			t('Sauvegarde de la nuit en échec', 'Le rapport Veeam indique un échec de la sauvegarde du serveur de fichiers.', 'Espace du dépôt libéré, sauvegarde relancée avec succès.', ['Analyse du rapport', 'Purge des points de restauration', 'Relance de la sauvegarde']),
			t('Mises à jour mensuelles des serveurs', 'Planifier et appliquer les mises à jour Windows Server du mois.', 'Mises à jour appliquées, serveurs redémarrés hors production.', ['Instantané des VM', 'Installation des mises à jour', 'Contrôle des services'], true),
			t('Onduleur en alarme', 'L’onduleur de la baie sonne et affiche « batterie faible ».', 'Batterie de l’onduleur remplacée, test d’autonomie réalisé.', ['Test de l’onduleur', 'Remplacement de la batterie'])
		]
	},
	{
		key: 'software', label: 'Logiciel', skill: 'logiciel', onSiteRate: 0.2,
		templates: [
			t('Erreur à l’ouverture de Sage', 'Message « base de données verrouillée » à l’ouverture du dossier comptable.', 'Verrou supprimé, utilisateurs déconnectés proprement.', ['Analyse des sessions', 'Suppression du verrou']),
			t('Installation d’AutoCAD LT', 'Installer AutoCAD LT sur le poste du dessinateur.', 'Logiciel installé et licence activée.', ['Installation', 'Activation de la licence'], true),
			t('Excel se ferme tout seul', 'Excel plante dès l’ouverture des fichiers avec macros.', 'Complément défectueux désactivé, Office réparé.', ['Démarrage sans compléments', 'Réparation d’Office']),
			t('Mise à jour du logiciel de paie', 'Installer la nouvelle version de Quadra Paie avant la clôture du mois.', 'Mise à jour installée et base migrée.', ['Sauvegarde de la base', 'Mise à jour', 'Contrôle avec la gestionnaire de paie'], true)
		]
	},
	{
		key: 'licence', label: 'Licence', skill: 'logiciel', onSiteRate: 0.05,
		templates: [
			t('Licence Microsoft 365 à ajouter', 'Nouvel arrivant : commander une licence Business Standard.', 'Licence ajoutée au locataire et attribuée.', ['Commande de la licence', 'Attribution'], true),
			t('Antivirus : licence expirée', 'Alerte « licence expirée » sur tous les postes.', 'Licence renouvelée et clé déployée depuis la console.', ['Renouvellement', 'Déploiement de la clé']),
			t('Renouvellement Acrobat Pro', 'L’abonnement Acrobat arrive à échéance à la fin du mois.', 'Abonnement renouvelé pour un an.', ['Devis', 'Renouvellement'], true)
		]
	},
	{
		key: 'email', label: 'Messagerie', skill: 'messagerie', onSiteRate: 0.1,
		templates: [
			t('Outlook ne reçoit plus de mails', 'Plus aucun message reçu depuis hier soir, l’envoi fonctionne.', 'Profil Outlook recréé, boîte resynchronisée.', ['Test en webmail', 'Recréation du profil']),
			t('Boîte aux lettres pleine', 'Message « boîte pleine » pour la direction.', 'Archivage en ligne activé, quota libéré.', ['Activation de l’archivage', 'Déplacement des anciens éléments']),
			t('Suspicion d’hameçonnage', 'Une salariée a cliqué sur un lien dans un faux mail de livraison.', 'Mot de passe réinitialisé, MFA activée, poste analysé.', ['Réinitialisation du mot de passe', 'Analyse antivirus', 'Contrôle des règles de transfert']),
			t('Création d’une adresse partagée', 'Créer contact@ partagée entre l’accueil et la direction.', 'Boîte partagée créée et ajoutée aux profils.', ['Création de la boîte partagée', 'Attribution des droits'], true)
		]
	},
	{
		key: 'account', label: 'Compte', skill: 'sécurité', onSiteRate: 0.03,
		templates: [
			t('Mot de passe Windows oublié', 'Compte verrouillé après trop de tentatives.', 'Compte déverrouillé et mot de passe réinitialisé.', ['Déverrouillage', 'Réinitialisation']),
			t('Création de compte nouvel arrivant', 'Créer le compte de domaine, la messagerie et les accès au partage commercial.', 'Compte créé avec les droits demandés.', ['Création du compte AD', 'Création de la boîte', 'Droits sur les partages'], true),
			t('Désactivation de compte', 'Départ d’un salarié vendredi : désactiver ses accès.', 'Compte désactivé, boîte convertie en boîte partagée.', ['Désactivation du compte', 'Conversion de la boîte'], true),
			t('Accès refusé au dossier Direction', 'La nouvelle assistante n’accède pas au dossier Direction.', 'Ajout au groupe de sécurité Direction.', ['Ajout au groupe', 'Vérification des droits'])
		]
	}
];
